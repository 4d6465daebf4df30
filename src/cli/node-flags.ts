/**
 * The Node.js flags a long-running gridsync process starts with. They are command-line flags, set where the
 * process starts (the `gridsync` command's shebang, `npm start`, the image's ENTRYPOINT): V8 sizes its heap
 * when the process starts, and a flag changed later may do nothing. Why these values: docs/architecture.md,
 * "Memory".
 */
export const NODE_FLAGS = ['--max-semi-space-size=16', '--max-old-space-size=1024'] as const;

/** The NODE_FLAGS whose option this process was started without (neither on its command line nor in NODE_OPTIONS). */
export function unsetNodeFlags(execArgv: readonly string[], nodeOptions = ''): string[] {
  const given = [...execArgv, ...nodeOptions.split(/\s+/)].map(optionName);
  return NODE_FLAGS.filter((flag) => !given.includes(optionName(flag)));
}

/** `--max_semi_space_size=8` and `--max-semi-space-size 8` name the same option as `--max-semi-space-size=16`. */
function optionName(flag: string): string {
  return (flag.split('=')[0] ?? '').replaceAll('_', '-');
}

/** Runs `node src/cli.ts …` as a user would, with the Node running the tests (24, by type stripping). */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): CliRun {
  const run = spawnSync(process.execPath, ['src/cli.ts', ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 20_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Output lines that start with a file:line:column location, i.e. one per problem. */
export function problemLines(output: string): string[] {
  return output.split('\n').filter((line) => /^\S+\.ya?ml:\d+:\d+ {2}\S/.test(line));
}

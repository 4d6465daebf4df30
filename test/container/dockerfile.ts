/** What the Dockerfile says, read as data, so the tests check the image as it is described (no Docker here). */
import { readFileSync } from 'node:fs';

export interface DockerfileStage {
  from: string;
  /** COPY lines without --from: build-context paths → destination. */
  copies: { sources: string[]; destination: string }[];
  user: string | undefined;
  volumes: string[];
  env: Record<string, string>;
  entrypoint: string[];
  cmd: string[];
  healthcheck: string | undefined;
  runs: string[];
}

/** The final stage of the Dockerfile (instructions joined across "\" line ends). */
export function finalStage(path = 'Dockerfile'): DockerfileStage {
  const instructions = readFileSync(path, 'utf8')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  let stage: DockerfileStage | undefined;
  for (const line of instructions) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (keyword === 'FROM') {
      stage = {
        from: args,
        copies: [],
        user: undefined,
        volumes: [],
        env: {},
        entrypoint: [],
        cmd: [],
        healthcheck: undefined,
        runs: [],
      };
      continue;
    }
    if (!stage) continue;
    switch (keyword) {
      case 'COPY':
        if (!args.startsWith('--from')) {
          const parts = args.split(/\s+/);
          stage.copies.push({ sources: parts.slice(0, -1), destination: parts.at(-1) ?? '' });
        }
        break;
      case 'USER':
        stage.user = args;
        break;
      case 'VOLUME':
        stage.volumes.push(...(JSON.parse(args) as string[]));
        break;
      case 'ENV':
        for (const [, key, value] of args.matchAll(/(\w+)=(\S+)/g)) {
          stage.env[key as string] = value as string;
        }
        break;
      case 'ENTRYPOINT':
        stage.entrypoint = JSON.parse(args) as string[];
        break;
      case 'CMD':
        stage.cmd = JSON.parse(args) as string[];
        break;
      case 'HEALTHCHECK':
        stage.healthcheck = args;
        break;
      case 'RUN':
        stage.runs.push(args);
        break;
    }
  }
  if (!stage) throw new Error(`${path} has no FROM`);
  return stage;
}

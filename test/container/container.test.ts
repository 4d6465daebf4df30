/**
 * The container, tested without a Docker engine: the Dockerfile's final stage is read as data, then what it
 * copies is laid out in a temporary folder with production dependencies only (npm ci --omit=dev, from the
 * local npm cache), and `gridsync serve` is started there as an unprivileged user and asked for /healthz,
 * /readyz and /metrics. The compose file is parsed and checked against what the code reads.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { NODE_FLAGS } from '../../src/cli/node-flags.ts';
import { CONFIG_VARIABLES } from '../../src/config/env.ts';
import { finalStage } from './dockerfile.ts';

const NOBODY = { uid: 65534, gid: 65534 };

/**
 * What \`npm ci --omit=dev\` installs. CI (GRIDSYNC_CHECK_NPM_CI=1, set by .ci/run) runs that very command
 * against the npm cache; elsewhere the same set of packages, the lockfile's non-dev entries, is copied from
 * ./node_modules, which takes seconds instead of minutes on a shared machine.
 */
function installProductionDependencies(app: string): void {
  if (process.env['GRIDSYNC_CHECK_NPM_CI'] === '1') {
    const install = spawnSync(
      'npm',
      ['ci', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'],
      { cwd: app, encoding: 'utf8', env: { ...process.env, NODE_ENV: 'production' }, timeout: 400_000 },
    );
    expect(install.status, install.stderr).toBe(0);
    return;
  }
  const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as {
    packages: Record<string, { dev?: boolean; optional?: boolean }>;
  };
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || entry.dev === true || !path.startsWith('node_modules/')) continue;
    if (entry.optional === true && !existsSync(path)) continue; // another platform's optional build
    cpSync(path, join(app, path), { recursive: true, verbatimSymlinks: true });
  }
}
const asRoot = process.getuid?.() === 0;
const stage = finalStage();

describe('Dockerfile', () => {
  it('runs gridsync serve on node:24-slim as a non-root user, with a health check and the /app/data volume', () => {
    expect(stage.from).toBe('node:24-slim');
    expect(stage.user).toBe('node');
    expect(stage.volumes).toEqual(['/app/data']);
    expect(stage.entrypoint).toEqual(['node', ...NODE_FLAGS, 'src/cli.ts']);
    expect(stage.cmd).toEqual(['serve']);
    expect(stage.healthcheck).toContain('/healthz');
    expect(stage.env['GRIDSYNC_DATABASE_URL']).toBe('/app/data/gridsync.db');
    expect(stage.env['GRIDSYNC_MAPPINGS_DIR']).toBe('/app/mappings');
    for (const key of Object.keys(stage.env).filter((k) => k !== 'NODE_ENV')) {
      expect(CONFIG_VARIABLES).toContain(key);
    }
  });

  it('bakes in no mappings, example tenants or development secrets', () => {
    const copied = stage.copies.flatMap((c) => c.sources);
    expect(copied.sort()).toEqual(['bin', 'package.json', 'src']);
    const ignored = readFileSync('.dockerignore', 'utf8').split('\n');
    for (const path of ['mappings', '.env', '*.env', 'data', 'node_modules']) expect(ignored).toContain(path);
    // What is copied holds no mapping, env file or store.
    const found = spawnSync(
      'find',
      ['bin', 'src', '-name', '*.yaml', '-o', '-name', '*.env', '-o', '-name', '*.db'],
      {
        encoding: 'utf8',
      },
    );
    expect(found.stdout).toBe('');
  });
});

describe('production dependencies alone', () => {
  const folder = mkdtempSync(join(tmpdir(), 'gridsync-image-'));
  let serve: ChildProcess | undefined;
  afterAll(() => {
    serve?.kill('SIGKILL');
    rmSync(folder, { recursive: true, force: true });
  }, 120_000);

  it(`start gridsync serve as ${asRoot ? 'nobody' : 'this (non-root) user'}, which answers /healthz, /readyz and /metrics`, async () => {
    chmodSync(folder, 0o755);
    const app = join(folder, 'app');
    mkdirSync(app);
    // What the Dockerfile copies, and its dependency install, as it runs it (but from the local cache).
    for (const { sources } of stage.copies) {
      for (const source of sources) cpSync(source, join(app, source), { recursive: true });
    }
    cpSync('package-lock.json', join(app, 'package-lock.json'));
    installProductionDependencies(app);
    expect(existsSync(join(app, 'node_modules', 'vitest'))).toBe(false);
    expect(existsSync(join(app, 'node_modules', 'prom-client'))).toBe(true);

    // A tenant mapping mounted from outside, in dry-run (no CRM credentials), and a data folder for the user.
    const mappings = join(folder, 'mappings');
    mkdirSync(mappings);
    cpSync('mappings/acme.yaml', join(mappings, 'acme.yaml'));
    const data = join(folder, 'data');
    mkdirSync(data);
    if (asRoot) chownSync(data, NOBODY.uid, NOBODY.gid);

    // The image's command line, with this machine's Node 24 for its `node`.
    expect(stage.entrypoint[0]).toBe('node');
    serve = spawn(process.execPath, [...stage.entrypoint.slice(1), ...stage.cmd], {
      cwd: app,
      env: {
        PATH: process.env['PATH'] ?? '',
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: '0',
        GRIDSYNC_DATABASE_URL: join(data, 'gridsync.db'),
        GRIDSYNC_MAPPINGS_DIR: mappings,
        ACME_WEBHOOK_SECRET: 'whsec_' + Buffer.from('container-test-secret-32-bytes!!').toString('base64'),
        ACME_STATUS_TOKEN: 'container-status-token',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(asRoot ? NOBODY : {}),
    });
    let stderr = '';
    const flagWarnings: string[] = [];
    serve.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not start\n${stderr}`)), 20_000);
      serve?.once('exit', (code) => reject(new Error(`serve exited with ${code}\n${stderr}`)));
      createInterface({ input: serve!.stdout! }).on('line', (line) => {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg?.startsWith('started without gridsync’s Node.js flags')) flagWarnings.push(line);
        if (entry.msg === 'gridsync is running') {
          clearTimeout(timer);
          resolve(String(entry.url));
        }
      });
    });
    // Started as the image starts it, it has its node flags: no warning about them.
    expect(flagWarnings).toEqual([]);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', tenants: 1 });
    const metrics = await fetch(`${url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('gridsync_intake_requests_total{route="/readyz"');
    // The store was written by the unprivileged user.
    if (asRoot) {
      expect(
        spawnSync('stat', ['-c', '%u', join(data, 'gridsync.db')], { encoding: 'utf8' }).stdout.trim(),
      ).toBe('65534');
    }
    const exited = new Promise<number | null>((resolve) => serve?.once('exit', resolve));
    serve.kill('SIGTERM');
    expect(await exited).toBe(0);
    serve = undefined;
  }, 480_000);
});

describe('docker-compose.yml', () => {
  const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as {
    services: Record<
      string,
      {
        image?: string;
        build?: unknown;
        environment?: Record<string, string>;
        volumes?: string[];
        depends_on?: Record<string, unknown>;
        ports?: string[];
      }
    >;
    volumes: Record<string, unknown>;
  };

  it('runs PostgreSQL and two gridsync replicas of the image built here, sharing the PostgreSQL store', () => {
    const replicas = Object.entries(compose.services).filter(([, s]) => s.image === 'gridsync:latest');
    expect(replicas.map(([name]) => name)).toEqual(['gridsync-1', 'gridsync-2']);
    expect(compose.services['postgres']?.image).toMatch(/^postgres:\d+/);
    for (const [, service] of replicas) {
      expect(service.build).toBe('.');
      expect(service.depends_on).toHaveProperty('postgres');
      expect(service.environment?.['GRIDSYNC_DATABASE_URL']).toMatch(
        /^postgres:\/\/gridsync:\$\{POSTGRES_PASSWORD:\?[^}]*\}@postgres:5432\/gridsync$/,
      );
      expect(service.volumes).toContain('./mappings:/app/mappings:ro');
      expect(service.volumes?.some((v) => v.endsWith(':/app/data'))).toBe(true);
    }
    expect(new Set(replicas.map(([, s]) => s.ports?.[0]?.split(':')[0])).size).toBe(2);
  });

  it('sets only variables the code reads, and where the image expects them', () => {
    for (const [, service] of Object.entries(compose.services).filter(([name]) =>
      name.startsWith('gridsync'),
    )) {
      for (const key of Object.keys(service.environment ?? {})) expect(CONFIG_VARIABLES).toContain(key);
      expect(service.environment?.['GRIDSYNC_MAPPINGS_DIR']).toBe(stage.env['GRIDSYNC_MAPPINGS_DIR']);
    }
    // No literal password: each one is asked of whoever starts it.
    expect(readFileSync('docker-compose.yml', 'utf8')).not.toMatch(/PASSWORD:\s+[^$\s]/);
  });
});

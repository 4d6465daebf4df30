/**
 * `gridsync mapping validate|schema` beyond the acceptance case, run in-process (the end-to-end spawn is in
 * broken-mapping.test.ts): default directory, JSON output, exit codes, and the schema's write/check cycle.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { mappingCommand } from '../../src/cli/mapping-commands.ts';
import { renderMappingJsonSchema } from '../../src/mapping/json-schema.ts';
import { problemLines, REPO_ROOT } from './run-cli.ts';

async function run(args: string[], env: Record<string, string> = {}) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => stdout.push(String(chunk)) > 0);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => stderr.push(String(chunk)) > 0);
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  try {
    const status = await mappingCommand(args);
    return { status, stdout: stdout.join(''), stderr: stderr.join('') };
  } finally {
    out.mockRestore();
    err.mockRestore();
    vi.unstubAllEnvs();
  }
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gridsync-mapping-cli-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('gridsync mapping validate', () => {
  it('checks every mapping file in GRIDSYNC_MAPPINGS_DIR when no file is named, and nothing else', async () => {
    await copyFile(join(REPO_ROOT, 'mappings/acme.yaml'), join(dir, 'acme.yaml'));
    await copyFile(join(REPO_ROOT, 'mappings/globex.yaml'), join(dir, 'zeta.yaml'));
    await writeFile(join(dir, 'old.yml'), 'tenant: old\n');
    await writeFile(join(dir, '.acme.yaml.swp'), 'not yaml at all: [');
    await writeFile(join(dir, 'README.md'), '# notes\n');
    const result = await run(['validate'], { GRIDSYNC_MAPPINGS_DIR: dir });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(`ok  ${join(dir, 'acme.yaml')}  (tenant acme, hubspot)`);
    expect(result.stdout).toContain(`${join(dir, 'old.yml')}  mapping files end in .yaml`);
    const zetaLines = problemLines(result.stdout).filter((line) => line.startsWith(join(dir, 'zeta.yaml')));
    expect(zetaLines.map((line) => line.split('  ')[1])).toEqual([
      'tenant: tenant "globex" does not match the file name zeta.yaml (expected "zeta")',
    ]);
    expect(result.stdout).not.toContain('.swp');
    expect(result.stdout).toMatch(/\d+ problems in 2 of 3 files\n$/);
  });

  it('says so when the directory has no mapping files', async () => {
    const result = await run(['validate'], { GRIDSYNC_MAPPINGS_DIR: dir });
    expect(result).toMatchObject({
      status: 1,
      stderr: `gridsync mapping: no mapping files (*.yaml) in ${dir}\n`,
    });
  });

  it('reports a named file that does not exist', async () => {
    const missing = join(dir, 'nope.yaml');
    const result = await run(['validate', missing]);
    expect(result).toMatchObject({ status: 1 });
    expect(result.stdout).toContain(`${missing}  file not found`);
  });

  it('prints a machine-readable report with --json', async () => {
    const result = await run([
      'validate',
      '--json',
      'mappings/acme.yaml',
      'test/fixtures/mappings/broken/acme.yaml',
    ]);
    expect(result.status).toBe(1);
    const report = JSON.parse(result.stdout) as {
      valid: boolean;
      files: { file: string; valid: boolean; problems?: { code: string }[] }[];
    };
    expect(report.valid).toBe(false);
    expect(report.files[0]).toEqual({
      file: 'mappings/acme.yaml',
      valid: true,
      tenant: 'acme',
      crm: 'hubspot',
    });
    expect(report.files[1]?.problems?.map((p) => p.code)).toEqual([
      'invalid_format',
      'missing_key',
      'unknown_key',
      'wrong_type',
    ]);
  });

  it('refuses a seconds field that fires more than once a minute, at its file:line:column', async () => {
    const acme = await readFile(join(REPO_ROOT, 'mappings/acme.yaml'), 'utf8');
    const edited = acme.replace("schedule: '*/10 * * * *'", "schedule: '*/10 * * * * *'");
    await writeFile(join(dir, 'acme.yaml'), edited);
    const line = edited.split('\n').findIndex((l) => l.startsWith('schedule:')) + 1;
    const result = await run(['validate', join(dir, 'acme.yaml')]);
    expect(result.status).toBe(1);
    expect(problemLines(result.stdout)).toEqual([
      `${join(dir, 'acme.yaml')}:${line}:11  schedule: the seconds field "*/10" runs the sync more than once a minute, and a scheduled sync runs at most once a minute`,
    ]);
    expect(result.stdout).toContain(
      'hint: drop the seconds field ("* * * * *"), or name one second such as "0 * * * * *"',
    );
  });

  it('warns, without failing, when a HubSpot custom object is named by its bare name', async () => {
    const acme = await readFile(join(REPO_ROOT, 'mappings/acme.yaml'), 'utf8');
    const edited = acme.replace('object: p_sales_grid', 'object: sales_grid');
    expect(edited).not.toBe(acme);
    const file = join(dir, 'acme.yaml');
    await writeFile(file, edited);
    const line = edited.split('\n').findIndex((l) => l.includes('object: sales_grid')) + 1;
    const result = await run(['validate', file]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(
      `${file}:${line}:3  warning: grid.object: "sales_grid" is a custom object's bare name, which HubSpot has refused since June 2025\n    hint: write "p_sales_grid"`,
    );
    const json = JSON.parse((await run(['validate', '--json', file])).stdout) as {
      files: { warnings?: { code: string; line: number }[] }[];
    };
    expect(json.files[0]?.warnings).toEqual([
      expect.objectContaining({ code: 'hubspot_bare_object_name', line }),
    ]);
    for (const name of ['p_sales_grid', 'p4711_sales_grid', '2-12345']) {
      await writeFile(file, acme.replace('object: p_sales_grid', `object: '${name}'`));
      expect((await run(['validate', file])).stdout).not.toContain('warning');
    }
  });

  it("refuses Salesforce client credentials without the org's My Domain URL", async () => {
    const globex = await readFile(join(REPO_ROOT, 'mappings/globex.yaml'), 'utf8');
    const file = join(dir, 'globex.yaml');
    for (const edited of [
      globex.replace('baseUrl: https://globex.my.salesforce.com', 'baseUrl: https://login.salesforce.com'),
      globex.replace('  baseUrl: https://globex.my.salesforce.com\n', ''),
    ]) {
      expect(edited).not.toBe(globex);
      await writeFile(file, edited);
      const result = await run(['validate', file]);
      expect(result.status).toBe(1);
      expect(problemLines(result.stdout)).toEqual([
        expect.stringMatching(
          /globex\.yaml:\d+:\d+ {2}crm\.baseUrl: client_credentials needs crm\.baseUrl set to the org's My Domain URL/,
        ),
      ]);
    }
  });

  it('refuses unknown options and subcommands with exit code 2', async () => {
    expect((await run(['validate', '--fix'])).status).toBe(2);
    expect((await run(['lint'])).status).toBe(2);
    expect((await run([])).status).toBe(2);
    expect((await run(['--help'])).status).toBe(0);
  });
});

describe('gridsync mapping schema', () => {
  it('prints the JSON Schema', async () => {
    const result = await run(['schema']);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(renderMappingJsonSchema());
  });

  it('passes --check on the committed mappings/mapping.schema.json', async () => {
    expect(await run(['schema', '--check'])).toMatchObject({
      status: 0,
      stdout: expect.stringContaining('is up to date'),
    });
  });

  it('fails --check on a stale file, with the command that fixes it', async () => {
    const file = join(dir, 'mapping.schema.json');
    await writeFile(file, '{"stale": true}\n');
    const result = await run(['schema', '--check', '--file', file]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /is out of date with src\/mapping\/mapping-schema\.ts; fix: npm run mappings:schema\n$/,
    );
  });

  it('fails --check when the file is missing', async () => {
    const result = await run(['schema', '--check', '--file', join(dir, 'absent.json')]);
    expect(result).toMatchObject({
      status: 1,
      stderr: expect.stringContaining('is missing; fix: npm run mappings:schema'),
    });
  });

  it('writes the file with --write, after which --check passes', async () => {
    await mkdir(join(dir, 'mappings'));
    const file = join(dir, 'mappings', 'mapping.schema.json');
    expect((await run(['schema', '--write', '--file', file])).status).toBe(0);
    expect(await readFile(file, 'utf8')).toBe(renderMappingJsonSchema());
    expect((await run(['schema', '--check', '--file', file])).status).toBe(0);
  });

  it('refuses --write together with --check', async () => {
    expect((await run(['schema', '--write', '--check'])).status).toBe(2);
  });
});

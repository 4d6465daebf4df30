/**
 * `gridsync mapping plan` and `apply` against the Salesforce stand-in with the globex example mapping: plan
 * lists the object and every field with its line and exits 1; apply --yes creates the object and fields
 * through the Metadata API and grants them with a permission set assigned to the integration user; plan
 * exits 0; a grid then syncs through gridsync's own composition (real connector, client credentials).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';

import { applyCommand, planCommand } from '../../src/cli/mapping-plan-command.ts';
import { loadConfig } from '../../src/config/env.ts';
import type { SecretLookup } from '../../src/config/secrets.ts';
import type { Logger } from '../../src/lib/logger.ts';
import { startGridsync, type StartOptions } from '../../src/main.ts';
import { SalesforceFake } from '../fakes/salesforce-fake/salesforce-fake.ts';
import { capturingLogger, silentLogger } from '../support/loggers.ts';
import { lineOf, planIo, planReport } from '../support/plan-command.ts';
import { addAccountDomainField, writeGlobexMapping } from '../support/salesforce-harness.ts';
import { randomWebhookSecret, signRequest } from '../support/sign-request.ts';

let fake: SalesforceFake;
let dir: string;
let file: string;
const secret = randomWebhookSecret();
const values: Record<string, string> = {
  GLOBEX_SF_CLIENT_ID: 'globex-client',
  GLOBEX_SF_CLIENT_SECRET: 'globex-secret',
  GLOBEX_WEBHOOK_SECRET: secret,
  GLOBEX_STATUS_TOKEN: 'status-token',
};
const secrets: SecretLookup = (ref) => ('env' in ref ? values[ref.env] : undefined);

const io = () => planIo(file, secrets);

/** gridsync as `serve` composes it on this test's folder: the real connector, client credentials, `secrets`. */
function serve(logLevel: 'silent' | 'info', logger: Logger, more: Pick<StartOptions, 'schemaWatch'> = {}) {
  return startGridsync({
    config: loadConfig(
      {
        PORT: '0',
        HOST: '127.0.0.1',
        GRIDSYNC_DATABASE_URL: join(dir, 'gridsync.db'),
        GRIDSYNC_MAPPINGS_DIR: join(dir, 'mappings'),
        LOG_LEVEL: logLevel,
      },
      join(dir, 'no.env'),
    ),
    logger,
    secrets,
    ...more,
    runnerOptions: { coalesceMs: 20, idlePollMs: 100, retrySchedule: { baseMs: 50, capMs: 200 } },
  });
}

beforeEach(async () => {
  fake = await SalesforceFake.start({ apps: [{ clientId: 'globex-client', clientSecret: 'globex-secret' }] });
  addAccountDomainField(fake.org);
  dir = mkdtempSync(join(tmpdir(), 'gridsync-sf-plan-'));
  file = writeGlobexMapping(dir, fake.url);
});
afterEach(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('mapping plan / apply on Salesforce', () => {
  it('creates the object, fields and permission set, and a grid then syncs live', async () => {
    const first = io();
    expect(await planCommand(['--json', file], first)).toBe(1);
    const findings = planReport(first).plans[0]!.findings;
    expect(findings[0]).toMatchObject({
      code: 'object_missing',
      object: 'Sales_Grid__c',
      location: { line: lineOf(file, 'object: Sales_Grid__c') },
    });
    const grid = findings
      .filter((f) => f.object === 'Sales_Grid__c' && f.code === 'field_missing')
      .map((f) => f.field);
    expect(grid).toEqual(
      expect.arrayContaining(['Grid_Id__c', 'Before_Scenario__c', 'Opportunity__c', 'Grid_Complete__c']),
    );
    expect(findings.find((f) => f.field === 'Intent_Level__c')).toMatchObject({
      object: 'Account',
      location: { line: lineOf(file, 'Intent_Level__c:') },
    });
    expect(findings.find((f) => f.field === 'Tech_Stack__c')).toMatchObject({
      code: 'field_missing',
      object: 'Account',
    });

    const applied = io();
    const code = await applyCommand([file, '--yes'], applied);
    const text = applied.out.join('');
    if (code !== 0) console.log(text, applied.err.join(''));
    expect(code).toBe(0);
    expect(text).toContain('created the custom object Sales_Grid__c (Name: Text)');
    expect(text).toContain('assigned Gridsync_Integration to the integration user');
    expect(text).toMatch(/needs a person for:[\s\S]*page layouts/);
    const describe = fake.org.visibleObject('Sales_Grid__c')!;
    const key = fake.org.visibleField(describe, 'Grid_Id__c');
    expect(key).toMatchObject({ externalId: true, unique: true, access: 'edit' });
    expect(fake.org.visibleField(describe, 'Before_Scenario__c')).toMatchObject({
      type: 'textarea',
      length: 32_768,
      access: 'edit',
    });
    expect(fake.org.visibleField(describe, 'Opportunity__c')).toMatchObject({
      type: 'reference',
      referenceTo: ['Opportunity'],
    });
    const status = fake.org.visibleField(fake.org.visibleObject('Opportunity')!, 'Grid_Status__c');
    expect(status?.picklistValues).toEqual(['Complete', 'Draft']);
    expect(
      fake.metadata.calls.filter((c) => c.operation === 'createMetadata' && c.type === 'CustomField').length,
    ).toBeGreaterThan(10);

    expect(await planCommand([file], io())).toBe(0);
    const again = io();
    expect(await applyCommand([file, '--yes'], again)).toBe(0);
    expect(again.out.join('')).toContain('nothing to apply');

    // A grid through gridsync's own composition: real connector, client credentials against the stand-in.
    const gridsync = await serve('silent', silentLogger());
    try {
      const gridBody = JSON.parse(readFileSync('test/fixtures/grids/ledgerline-complete.json', 'utf8')) as {
        gridId: string;
      };
      const signed = signRequest({ secret, body: gridBody });
      const answer = await fetch(`${gridsync.url}/v1/tenants/globex/grids`, {
        method: 'POST',
        headers: { ...signed.headers, 'content-type': 'application/json' },
        body: signed.payload,
      });
      expect(answer.status).toBe(202);
      await gridsync.runner.drain();
      const records = fake.org.records('Sales_Grid__c');
      expect(records.map((r) => r.values['Grid_Id__c'])).toEqual([gridBody.gridId]);
      expect(String(records[0]!.values['Before_Scenario__c'])).not.toBe('');
    } finally {
      await gridsync.close();
    }
  });

  it('names a wrong-type field and a picklist lacking a value; apply adds the value and reports the type', async () => {
    fake.org.addField('Account', { name: 'Intent_Score__c', type: 'boolean' });
    fake.org.addField('Account', {
      name: 'Intent_Level__c',
      type: 'picklist',
      picklistValues: ['High', 'Low', 'None'],
    });
    const planned = io();
    expect(await planCommand([file, '--json'], planned)).toBe(1);
    const findings = planReport(planned).plans[0]!.findings;
    expect(findings.find((f) => f.field === 'Intent_Score__c')).toMatchObject({
      code: 'type_mismatch',
      location: { line: lineOf(file, 'Intent_Score__c:') },
    });
    expect(findings.find((f) => f.field === 'Intent_Level__c')).toMatchObject({
      code: 'option_missing',
      missingOptions: ['Medium'],
    });

    const applied = io();
    expect(await applyCommand([file, '--yes'], applied)).toBe(1);
    expect(applied.out.join('')).toContain('added picklist value(s) Medium to Account.Intent_Level__c');
    expect(applied.out.join('')).toMatch(/leave for a person[\s\S]*Intent_Score__c/);
    const account = fake.org.object('Account')!;
    expect(account.fields.get('intent_level__c')?.picklistValues).toEqual(['High', 'Low', 'None', 'Medium']);
    expect(account.fields.get('intent_score__c')?.type).toBe('boolean');
  });

  it('names a field deleted while gridsync runs within one check period: log, /readyz, tenant status, and fails the grid early', async () => {
    const doc = parseDocument(readFileSync(file, 'utf8'));
    doc.setIn(['sync', 'schemaCheckHours'], 0.0001); // 0.36 s
    writeFileSync(file, doc.toString());
    expect(await applyCommand([file, '--yes'], io())).toBe(0);

    const { logger, text } = capturingLogger('info');
    const gridsync = await serve('info', logger, { schemaWatch: { tickMs: 50 } });
    const readyz = async () =>
      (await (await fetch(`${gridsync.url}/readyz`)).json()) as {
        schema: Record<string, { state: string; drift: { field?: string; location?: { line: number } }[] }>;
      };
    const waitFor = async (test: () => Promise<boolean>) => {
      for (let i = 0; i < 100 && !(await test()); i += 1) await new Promise((r) => setTimeout(r, 50));
    };
    try {
      await waitFor(async () => (await readyz()).schema['globex']?.state === 'ok');
      expect((await readyz()).schema['globex']?.state).toBe('ok');

      fake.org.removeField('Sales_Grid__c', 'Event__c'); // an admin deletes a field
      await waitFor(async () => (await readyz()).schema['globex']?.state === 'drift');
      const line = lineOf(file, 'Event__c:');
      expect((await readyz()).schema['globex']?.drift).toEqual([
        expect.objectContaining({ field: 'Event__c', location: expect.objectContaining({ line }) }),
      ]);
      const status = (await (
        await fetch(`${gridsync.url}/v1/tenants/globex/status`, {
          headers: { authorization: 'Bearer status-token' },
        })
      ).json()) as {
        crm: { mode: string };
        mapping: { file: string; contentHash: string };
        schema: { state: string; findings: { field?: string; message: string }[] };
      };
      expect(status.crm.mode).toBe('live');
      expect(status.mapping.file).toBe(file);
      expect(status.schema.state).toBe('drift');
      expect(status.schema.findings[0]).toMatchObject({
        field: 'Event__c',
        message:
          'Sales_Grid__c has no field Event__c (or the integration user has no field-level access to it)',
      });
      expect((await fetch(`${gridsync.url}/v1/tenants/globex/status`)).status).toBe(401);
      const drifted = text()
        .split('\n')
        .filter((l) => l.includes('schema drift: Sales_Grid__c has no field Event__c'));
      expect(drifted).toHaveLength(1);
      expect(drifted[0]).toContain(`globex.yaml:${line}:`);

      // A grid that would write the field fails early with the plan's words, without a CRM call for it.
      const upsertsBefore = fake.callCount('PATCH /composite/sobjects/Sales_Grid__c/Grid_Id__c');
      const grid = JSON.parse(readFileSync('test/fixtures/grids/ledgerline-complete.json', 'utf8')) as {
        gridId: string;
      };
      const signed = signRequest({ secret, body: grid });
      await fetch(`${gridsync.url}/v1/tenants/globex/grids`, {
        method: 'POST',
        headers: { ...signed.headers, 'content-type': 'application/json' },
        body: signed.payload,
      });
      await gridsync.runner.drain();
      const gridStatus = JSON.stringify(
        await (
          await fetch(`${gridsync.url}/v1/tenants/globex/grids/${grid.gridId}`, {
            headers: { authorization: 'Bearer status-token' },
          })
        ).json(),
      );
      expect(gridStatus).toContain('schema drift');
      expect(gridStatus).toContain('Event__c');
      expect(fake.callCount('PATCH /composite/sobjects/Sales_Grid__c/Grid_Id__c')).toBe(upsertsBefore);
      expect(fake.org.records('Sales_Grid__c')).toHaveLength(0);
    } finally {
      await gridsync.close();
    }
  });
});

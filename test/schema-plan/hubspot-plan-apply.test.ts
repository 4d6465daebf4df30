/**
 * `gridsync mapping plan` and `apply` against the HubSpot stand-in, from an empty portal to a grid synced
 * through the whole of gridsync: plan lists the object and every property with its mapping line and exits
 * 1; apply --yes creates them; plan then exits 0; a grid sent to the intake lands on the new object.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { applyCommand, planCommand } from '../../src/cli/mapping-plan-command.ts';
import { HubSpotFake } from '../fakes/hubspot-fake-server.ts';
import { acmeCrmSecrets, startHarness, writeTenantMapping } from '../support/gridsync-harness.ts';
import { lineOf, planIo, planReport } from '../support/plan-command.ts';

let fake: HubSpotFake;
let dir: string;
let file: string;
const io = () => planIo(file, acmeCrmSecrets);

beforeEach(async () => {
  fake = await HubSpotFake.start();
  dir = mkdtempSync(join(tmpdir(), 'gridsync-plan-'));
  file = writeTenantMapping(dir, fake.url);
});
afterEach(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('mapping plan / apply on HubSpot', () => {
  it('goes from an empty portal to a mapping the CRM can take, and a grid then syncs live', async () => {
    const first = io();
    expect(await planCommand([file, '--json'], first)).toBe(1);
    const report = planReport(first);
    const findings = report.plans[0]!.findings;
    expect(report.ok).toBe(false);
    // The members docs/setup-tenant.md documents for `plan --json`, and no others.
    expect(Object.keys(report.plans[0]!).sort()).toEqual([
      'checkedAt',
      'crm',
      'file',
      'findings',
      'ok',
      'tenant',
    ]);
    expect(Object.keys(findings[0]!).sort()).toEqual(
      ['action', 'code', 'field', 'fix', 'location', 'message', 'object', 'path', 'role', 'severity'].sort(),
    );
    expect(findings[0]).toMatchObject({ code: 'object_missing', object: 'p_sales_grid', action: 'create' });
    expect(findings[0]!.location?.line).toBe(lineOf(file, 'object: p_sales_grid'));
    const missing = findings.filter((f) => f.code === 'field_missing' && f.object === 'p_sales_grid');
    expect(missing.map((f) => f.field)).toEqual(
      expect.arrayContaining(['gridsync_grid_id', 'gridsync_before_scenario', 'gridsync_grid_status']),
    );
    expect(missing.find((f) => f.field === 'gridsync_before_scenario')?.location?.line).toBe(
      lineOf(file, 'gridsync_before_scenario:'),
    );
    expect(findings.find((f) => f.field === 'gridsync_intent_level')).toMatchObject({
      object: 'companies',
      action: 'create',
    });
    expect(findings.some((f) => f.field === 'gridsync_tech_stack')).toBe(true); // an ICP crmField

    const human = io();
    expect(await planCommand([file], human)).toBe(1);
    if (process.env['SHOW_PLAN']) console.log(human.out.join(''));
    expect(human.out.join('')).toMatch(/p_sales_grid\n\s+\+ .*acme\.yaml:\d+:\d+ {2}error object_missing/);

    const applied = io();
    expect(await applyCommand([file, '--yes'], applied)).toBe(0);
    expect(applied.out.join('')).toContain('created the custom object sales_grid');
    const schema = fake.schemas.schemas[0]!;
    expect(schema).toMatchObject({
      name: 'sales_grid',
      requiredProperties: ['gridsync_grid_id'],
      searchableProperties: expect.arrayContaining(['gridsync_grid_id']),
    });
    expect(schema.associations.map((a) => a.toObjectTypeId).sort()).toEqual(['0-1', '0-2', '0-3']);
    const props = fake.schemas.properties.get(schema.objectTypeId)!;
    expect(props.find((p) => p.name === 'gridsync_grid_id')).toMatchObject({ hasUniqueValue: true });
    expect(props.find((p) => p.name === 'gridsync_before_scenario')).toMatchObject({
      type: 'string',
      fieldType: 'textarea',
    });
    expect(props.find((p) => p.name === 'gridsync_grid_status')?.options.map((o) => o.value)).toEqual([
      'complete',
      'draft',
    ]);
    const company = fake.schemas.properties.get('companies')!.find((p) => p.name === 'gridsync_intent_level');
    expect(company).toMatchObject({ type: 'enumeration', groupName: 'gridsync' });
    expect(company?.options.map((o) => o.value)).toEqual(['High', 'Medium', 'Low', 'None']);

    expect(await planCommand([file], io())).toBe(0);
    const again = io();
    expect(await applyCommand([file, '--yes'], again)).toBe(0);
    expect(again.out.join('')).toContain('nothing to apply');
    expect(fake.callCount(/^POST \/crm(-object-schemas)?\/(properties\/)?2026-03\/schemas$/)).toBe(1);
    expect(fake.requests.some((r) => /\/v3\/|\/v4\//.test(r.route) && r.route.includes('propert'))).toBe(
      false,
    );

    // The grid then syncs live through the whole of gridsync, on the object apply created.
    const harness = await startHarness({ fakeInstance: fake, dir });
    try {
      const grid = JSON.parse(readFileSync('test/fixtures/grids/ledgerline-complete.json', 'utf8')) as {
        gridId: string;
      };
      expect((await harness.postGrid(grid)).status).toBe(202);
      await harness.settle();
      const records = fake.store.records('p_sales_grid');
      expect(records).toHaveLength(1);
      expect(records[0]!.properties['gridsync_grid_id']).toBe(grid.gridId);
    } finally {
      await harness.gridsync.close();
    }
  });

  it('names a property of the wrong type and an enumeration lacking an option; apply adds the option, not the type', async () => {
    fake.schemas.addProperty('companies', {
      name: 'gridsync_intent_score',
      type: 'string',
      fieldType: 'text',
    });
    fake.schemas.addProperty('companies', {
      name: 'gridsync_intent_level',
      type: 'enumeration',
      fieldType: 'select',
      options: [
        { label: 'High', value: 'High', displayOrder: 0, hidden: false },
        { label: 'Low', value: 'Low', displayOrder: 1, hidden: false },
      ],
    });
    fake.schemas.addProperty('companies', {
      name: 'gridsync_active_users',
      type: 'bool',
      fieldType: 'booleancheckbox',
    });
    const planned = io();
    expect(await planCommand([file, '--json'], planned)).toBe(1);
    const findings = planReport(planned).plans[0]!.findings;
    expect(findings.find((f) => f.field === 'gridsync_active_users')).toMatchObject({
      code: 'type_mismatch',
      location: { line: lineOf(file, 'gridsync_active_users:') },
    });
    expect(findings.find((f) => f.field === 'gridsync_intent_level')).toMatchObject({
      code: 'option_missing',
      missingOptions: ['Medium', 'None'],
      location: { line: lineOf(file, 'gridsync_intent_level:') },
    });
    // A number into a text property is fine: no finding.
    expect(findings.some((f) => f.field === 'gridsync_intent_score')).toBe(false);

    const applied = io();
    expect(await applyCommand([file, '--yes'], applied)).toBe(1);
    const text = applied.out.join('');
    expect(text).toContain('added option(s) Medium, None to companies.gridsync_intent_level');
    expect(text).toMatch(/leave for a person[\s\S]*gridsync_active_users/);
    const level = fake.schemas.properties.get('companies')!.find((p) => p.name === 'gridsync_intent_level');
    expect(level?.options.map((o) => o.value)).toEqual(['High', 'Low', 'Medium', 'None']);
    expect(
      fake.schemas.properties.get('companies')!.find((p) => p.name === 'gridsync_active_users')?.type,
    ).toBe('bool');
  });

  it('exits 2 when the tenant has no credentials to read its CRM with', async () => {
    const noSecrets = { ...io(), secrets: () => undefined };
    expect(await planCommand([file], noSecrets)).toBe(2);
    expect(noSecrets.err.join('')).toContain('ACME_HUBSPOT_TOKEN');
  });
});

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { loadMappingFile } from '../load-mapping-file.ts';
import { formatMappingError } from '../mapping-errors.ts';

const minimal = readFileSync(
  fileURLToPath(new URL('../../../test/fixtures/mappings/valid/minimal.yaml', import.meta.url)),
  'utf8',
);
const FILE = 'mappings/minimal.yaml';

function withDeal(deal: string, crm = 'crm:\n  type: hubspot\n'): string {
  return `${minimal.replace('crm:\n  type: hubspot\n', crm)}deal:\n${deal}`;
}

function problemLines(text: string): string[] {
  const result = loadMappingFile(FILE, text);
  if (result.ok) throw new Error('expected problems');
  return result.error.map(formatMappingError);
}

describe('the deal rule in a mapping', () => {
  it('defaults to the most recently created open deal, waiting while there is none', () => {
    const result = loadMappingFile(FILE, minimal);
    expect(result.ok && result.value.mapping.deal).toEqual({
      fields: {},
      find: { stages: 'open', pick: 'most_recently_created' },
      whenNone: 'wait',
    });
  });

  it('reads pipelines, a stage list, the pick and a create policy; ids written as numbers become text', () => {
    const text = withDeal(
      [
        '  find: { pipelines: [default, 7712], stages: [appointmentscheduled, 1234], pick: largest_amount }',
        '  whenNone: create',
        '  create: { pipeline: default, stage: appointmentscheduled, keyField: gridsync_deal_key }',
        '',
      ].join('\n'),
    );
    const result = loadMappingFile(FILE, text);
    if (!result.ok) throw new Error(result.error.map(formatMappingError).join('\n'));
    expect(result.value.mapping.deal.find).toEqual({
      pipelines: ['default', '7712'],
      stages: ['appointmentscheduled', '1234'],
      pick: 'largest_amount',
    });
    expect(result.value.mapping.deal.create).toEqual({
      pipeline: 'default',
      stage: 'appointmentscheduled',
      keyField: 'gridsync_deal_key',
      name: '{{grid.account.name}}: developer conversation',
      closeInDays: 90,
    });
  });

  it('reports an unknown pick, create without its settings, and a bad placeholder at their lines', () => {
    const line = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;
    const badPick = withDeal('  find:\n    pick: newest\n');
    expect(problemLines(badPick)[0]).toMatch(
      new RegExp(`^${FILE}:${line(badPick, 'pick: newest')}:\\d+ +deal\\.find\\.pick: `),
    );

    const noCreate = withDeal('  whenNone: create\n');
    expect(problemLines(noCreate)[0]).toMatch(
      new RegExp(`^${FILE}:${line(noCreate, 'whenNone: create')}:\\d+ +deal\\.whenNone: .*deal\\.create`),
    );

    const badName = withDeal(
      '  whenNone: create\n  create: { pipeline: p, stage: s, keyField: k, name: "{{grid.acount.name}}" }\n',
    );
    expect(problemLines(badName).join('\n')).toMatch(
      /deal\.create\.name.*unknown placeholder \{\{grid\.acount\.name\}\}/,
    );
  });

  it('refuses keys of the other CRM, each at its own line', () => {
    const hubspot = withDeal(
      '  find: { recordTypes: [Enterprise] }\n  whenNone: create\n  create: { stage: s, keyField: k }\n',
    );
    const hubspotLines = problemLines(hubspot).join('\n');
    expect(hubspotLines).toMatch(/deal\.find\.recordTypes: record types are Salesforce's/);
    expect(hubspotLines).toMatch(/deal\.create\.pipeline: HubSpot needs the pipeline/);

    const salesforce = withDeal('  find: { pipelines: [default] }\n', 'crm:\n  type: salesforce\n');
    const salesforceLines = problemLines(salesforce);
    const pipelinesLine = salesforce.split('\n').findIndex((l) => l.includes('pipelines: [default]')) + 1;
    expect(salesforceLines.find((l) => l.includes('deal.find.pipelines'))).toMatch(
      new RegExp(`^${FILE}:${pipelinesLine}:\\d+ +deal\\.find\\.pipelines: Salesforce has no deal pipelines`),
    );
  });
});

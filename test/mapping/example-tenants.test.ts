/**
 * The example tenants are documentation that runs: they must validate, tell the seed's story on both CRMs,
 * and start in dry-run mode with the development secrets of mappings/examples.dev.env.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';

import { describe, expect, it } from 'vitest';

import { GRID_SECTION_SOURCES, GRID_SOURCE_PATHS } from '../../src/mapping/source-paths.ts';
import { loadMappingFile } from '../../src/mapping/load-mapping-file.ts';
import type { TenantMapping } from '../../src/mapping/mapping-schema.ts';
import { REPO_ROOT } from './run-cli.ts';

const MAPPINGS = join(REPO_ROOT, 'mappings');

function load(name: string): TenantMapping {
  const result = loadMappingFile(join(MAPPINGS, name));
  if (!result.ok) throw new Error(`${name} should be valid: ${JSON.stringify(result.error)}`);
  return result.value.mapping;
}

const acme = load('acme.yaml');
const globex = load('globex.yaml');
const devEnvText = readFileSync(join(MAPPINGS, 'examples.dev.env'), 'utf8');
const devEnv = parseEnv(devEnvText);
const SECTIONS = GRID_SECTION_SOURCES;

const envNames = (refs: unknown[]) =>
  refs.flatMap((ref) => (typeof ref === 'object' && ref !== null && 'env' in ref ? [String(ref.env)] : []));
const fromPaths = (fields: TenantMapping['deal']['fields']) =>
  Object.values(fields).flatMap((f) => ('from' in f ? [f.from] : []));

describe('every mapping file in mappings/', () => {
  const files = readdirSync(MAPPINGS).filter((name) => name.endsWith('.yaml'));

  it('is one of the two examples', () => {
    expect(files.sort()).toEqual(['acme.yaml', 'globex.yaml']);
  });

  it.each(files)('%s starts with the modeline that gives editors the JSON Schema', (name) => {
    expect(readFileSync(join(MAPPINGS, name), 'utf8').split('\n')[0]).toBe(
      '# yaml-language-server: $schema=./mapping.schema.json',
    );
  });
});

describe('mappings/examples.dev.env', () => {
  it('says that its values are for development only', () => {
    expect(devEnvText.split('\n')[0]).toBe(
      '# Development-only values for the example tenants; never use in production.',
    );
  });

  it('holds every webhook secret and status token the examples reference', () => {
    for (const mapping of [acme, globex]) {
      for (const name of envNames([mapping.secrets.webhookSigningSecret, mapping.secrets.statusToken])) {
        expect(devEnv[name], name).toBeTruthy();
      }
    }
  });

  it('holds Standard Webhooks secrets of 24 random bytes and long random status tokens', () => {
    for (const [name, value] of Object.entries(devEnv)) {
      if (name.endsWith('_WEBHOOK_SECRET')) {
        expect(value).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/);
        expect(Buffer.from(value!.slice('whsec_'.length), 'base64')).toHaveLength(24);
      } else {
        expect(name).toMatch(/_STATUS_TOKEN$/);
        expect(value!.length).toBeGreaterThanOrEqual(32);
      }
    }
    expect(devEnv.ACME_WEBHOOK_SECRET).not.toBe(devEnv.GLOBEX_WEBHOOK_SECRET);
  });

  it('leaves the CRM credentials out, so both examples run in dry-run mode', () => {
    const crmNames = [
      ...envNames(Object.values(acme.crm.auth ?? {})),
      ...envNames(Object.values(globex.crm.auth ?? {})),
    ];
    expect(crmNames).toEqual(['ACME_HUBSPOT_TOKEN', 'GLOBEX_SF_CLIENT_ID', 'GLOBEX_SF_CLIENT_SECRET']);
    for (const name of crmNames) expect(devEnv[name], name).toBeUndefined();
  });
});

describe('acme (HubSpot)', () => {
  it('writes grids to the p_sales_grid custom object, keyed by gridsync_grid_id', () => {
    expect(acme.crm.type).toBe('hubspot');
    expect(acme.grid).toMatchObject({ object: 'p_sales_grid', externalIdField: 'gridsync_grid_id' });
    expect(Object.keys(acme.grid.associate).sort()).toEqual(['company', 'contact', 'deal']);
  });

  it('maps every section of the grid onto the grid record and summarises it on the deal', () => {
    expect(fromPaths(acme.grid.fields)).toEqual(expect.arrayContaining([...SECTIONS]));
    const summary = Object.values(acme.deal.fields).find((f) => 'template' in f);
    for (const section of SECTIONS) {
      expect(summary && 'template' in summary && summary.template).toContain(`{{${section}}}`);
    }
  });

  it("shows the account's intent and qualification on the company", () => {
    expect(fromPaths(acme.company.fields)).toEqual(
      expect.arrayContaining([
        'account.intentScore',
        'account.intentLevel',
        'account.qualified',
        'account.qualificationSummary',
        'account.lastSignalAt',
      ]),
    );
  });

  it('uses each kind of field mapping: source path, picklist map, template and constant', () => {
    const all = [
      ...Object.values(acme.grid.fields),
      ...Object.values(acme.deal.fields),
      ...Object.values(acme.company.fields),
    ];
    expect(all.some((f) => 'map' in f && f.map !== undefined)).toBe(true);
    expect(all.some((f) => 'template' in f)).toBe(true);
    expect(all.some((f) => 'const' in f)).toBe(true);
  });

  it('scores signals from product, docs, website (pricing, security, terms), community and external sources', () => {
    const types = Object.keys(acme.scoring.signals);
    for (const source of ['product.', 'docs.', 'website.', 'community.', 'external.']) {
      expect(
        types.some((t) => t.startsWith(source)),
        source,
      ).toBe(true);
    }
    const pages = Object.values(acme.scoring.signals).map((s) => s.page);
    expect(pages).toEqual(expect.arrayContaining(['pricing', 'security', 'terms']));
  });

  it("qualifies accounts with the seed's Product-Qualified Account template", () => {
    const { usage, icp } = acme.qualification;
    expect(usage.activeSpanDays?.min).toBe(14); // active for 2+ weeks
    expect(usage.activeUsers?.min).toBe(3); // 3+ users
    expect(usage.coreFeatures?.features.length).toBeGreaterThan(0); // core feature adoption
    expect(usage.usageThreshold?.min).toBeGreaterThan(0); // above a usage threshold
    expect(icp.required).toBe(3); // 3+ of:
    expect(Object.keys(icp.criteria).sort()).toEqual([
      'companySize',
      'fundingStage',
      'geo',
      'industry',
      'techStack',
    ]);
    expect(Object.values(icp.criteria).some((c) => c.from.some((s) => 'crmField' in s))).toBe(true);
  });

  it("gives the AE a task that carries the grid's five sections", () => {
    for (const section of SECTIONS) expect(acme.task.body).toContain(`{{${section}}}`);
    expect(acme.task.owner.chain).toEqual(['deal_owner', 'company_owner', 'fallback']);
  });

  it('reads only source paths that exist', () => {
    const known: readonly string[] = GRID_SOURCE_PATHS;
    expect(fromPaths(acme.grid.fields).every((p) => known.includes(p))).toBe(true);
  });
});

describe('globex (Salesforce)', () => {
  it('writes grids to Sales_Grid__c keyed by Grid_Id__c and links them by lookup fields', () => {
    expect(globex.crm.type).toBe('salesforce');
    expect(globex.grid).toMatchObject({ object: 'Sales_Grid__c', externalIdField: 'Grid_Id__c' });
    expect(globex.grid.associate).toEqual({
      deal: { lookupField: 'Opportunity__c' },
      company: { lookupField: 'Account__c' },
      contact: { lookupField: 'Contact__c' },
    });
  });

  it('uses Salesforce custom field names (…__c) besides the standard Name', () => {
    const names = [globex.grid, globex.deal, globex.company, globex.contact].flatMap((o) =>
      Object.keys(o.fields),
    );
    expect(names.filter((n) => !n.endsWith('__c'))).toEqual(['Name']);
  });

  it('maps every section of the grid and carries them in the task', () => {
    expect(fromPaths(globex.grid.fields)).toEqual(expect.arrayContaining([...SECTIONS]));
    for (const section of SECTIONS) expect(globex.task.body).toContain(`{{${section}}}`);
  });
});

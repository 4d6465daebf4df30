/**
 * GET /v1/tenants/{tenant}/status through gridsync serve's composition: the queue counts (pending, failed,
 * dead letters) and the last successful sync follow what the worker does, and every member the body has is
 * documented in docs/setup-tenant.md ("The tenant's status"), and every documented member is served.
 */
import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { type Harness, startHarness } from '../support/gridsync-harness.ts';
import { ledgerlineGrid, seedLedgerline } from '../support/fixtures.ts';
import { closedAfterEach } from '../support/harness-per-test.ts';

interface TenantStatus {
  queue: { pending: number; failed: number; running: number; deadLetters: number };
  lastSuccessfulSyncAt: string | null;
  [member: string]: unknown;
}

const startHarnessPerTest = closedAfterEach(startHarness);

async function tenantStatus(h: Harness): Promise<TenantStatus> {
  const response = await fetch(`${h.gridsync.url}/v1/tenants/acme/status`, {
    headers: { authorization: `Bearer ${h.statusToken}` },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as TenantStatus;
}

/** Dotted paths of the body's members; arrays (schema.findings) are documented as one member. */
function members(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => members(v, prefix === '' ? k : `${prefix}.${k}`));
}

function documentedMembers(): string[] {
  const doc = readFileSync('docs/setup-tenant.md', 'utf8');
  const section = doc.slice(doc.indexOf("### The tenant's status"));
  const table = section.slice(0, section.indexOf('\n\n', section.indexOf('| member')));
  return [...table.matchAll(/^\| `([^`]+)`/gm)].map((m) => m[1]!);
}

describe('the tenant status', () => {
  it('counts pending, failed and dead-letter jobs and shows the last successful sync', async () => {
    const harness = await startHarnessPerTest({
      schemaWatch: { tickMs: 50 },
      runner: { breaker: { baseMs: 60_000, capMs: 60_000 } },
    });
    const { dealId } = seedLedgerline(harness.fake);
    const before = await tenantStatus(harness);
    expect(before.queue).toEqual({ pending: 0, failed: 0, running: 0, deadLetters: 0 });
    expect(before.lastSuccessfulSyncAt).toBeNull();

    const startedAt = Date.now();
    await harness.postGrid(ledgerlineGrid({ deal: { crmId: dealId } }));
    await harness.settle();
    const synced = await tenantStatus(harness);
    expect(Date.parse(synced.lastSuccessfulSyncAt ?? '')).toBeGreaterThanOrEqual(startedAt - 1);
    expect(synced.queue).toEqual({ pending: 0, failed: 0, running: 0, deadLetters: 0 });

    // An outage: the grid's try fails, it waits for a retry (the breaker keeps the CRM alone meanwhile).
    harness.fake.failFor(60_000, 503);
    await harness.postGrid(ledgerlineGrid({ gridId: 'grid-status-outage', deal: { crmId: dealId } }));
    await harness.settle();
    const failing = await tenantStatus(harness);
    expect(failing.queue).toMatchObject({ pending: 1, failed: 1, deadLetters: 0 });
    expect(failing.lastSuccessfulSyncAt).toBe(synced.lastSuccessfulSyncAt);

    const documented = documentedMembers();
    const served = members(failing);
    expect(served.filter((m) => !documented.includes(m))).toEqual([]);
    // Served only in some states: a dry-run tenant's reason, a check that could not read the CRM.
    const conditional = ['crm.reason', 'schema.reason'];
    expect(documented.filter((m) => !served.includes(m) && !conditional.includes(m))).toEqual([]);
  });

  it('counts a grid the CRM refuses for good as a dead letter', async () => {
    const harness = await startHarnessPerTest({ retry: { maxAttempts: 1 } });
    const { dealId } = seedLedgerline(harness.fake);
    harness.fake.rejectProperty('p_sales_grid', 'gridsync_title', '400');
    await harness.postGrid(ledgerlineGrid({ deal: { crmId: dealId } }));
    await harness.settle();
    const status = await tenantStatus(harness);
    expect(status.queue).toMatchObject({ pending: 0, deadLetters: 1 });
    expect(status.lastSuccessfulSyncAt).toBeNull();
  });
});

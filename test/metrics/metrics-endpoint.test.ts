/**
 * GET /metrics while gridsync works: intake, job, CRM-call and task counters move, the stored queue shows as
 * gauges, and the whole exposition parses with a Prometheus text-format parser (not our own reading of it).
 */
import parsePrometheusTextFormat, { type ParsedFamily } from 'parse-prometheus-text-format';
import { afterEach, describe, expect, it } from 'vitest';

import { startHarness, type Harness } from '../support/gridsync-harness.ts';
import { startSalesforceHarness } from '../support/salesforce-harness.ts';
import { ledgerlineGrid, qualifyingSignals, seedLedgerline } from '../support/fixtures.ts';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function scrape(h: Harness, headers: Record<string, string> = {}): Promise<ParsedFamily[]> {
  const response = await fetch(`${h.gridsync.url}/metrics`, { headers });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusTextFormat(await response.text());
}

/** The sum of a family's samples whose labels include `match`. */
function total(families: ParsedFamily[], name: string, match: Record<string, string> = {}): number {
  const family = families.find((f) => f.name === name);
  if (!family) return 0;
  return family.metrics
    .filter((m) => Object.entries(match).every(([k, v]) => m.labels?.[k] === v))
    .reduce((sum, m) => sum + Number(m.value ?? m.count ?? 0), 0);
}

describe('GET /metrics', () => {
  it('shows intake, job, CRM-call and task counters moving during a sync, in parseable text format', async () => {
    harness = await startHarness({ fake: { latencyMs: 20 } });
    const { dealId } = seedLedgerline(harness.fake);
    const before = await scrape(harness);
    expect(before.map((f) => f.name)).toEqual(
      expect.arrayContaining(['process_cpu_user_seconds_total', 'nodejs_eventloop_lag_seconds']),
    );
    expect(total(before, 'gridsync_crm_requests_total')).toBe(0);

    await harness.postSignals(qualifyingSignals());
    await harness.postGrid(ledgerlineGrid({ deal: { crmId: dealId } }));
    // A scrape while the worker is busy is answered too (the store gauges are read, not locked).
    const during = await scrape(harness);
    expect(total(during, 'gridsync_intake_requests_total', { code: 'ok', status: '202' })).toBe(2);
    await harness.settle();
    const after = await scrape(harness);

    expect(
      total(after, 'gridsync_intake_requests_total', {
        route: '/v1/tenants/:tenant/grids',
        method: 'POST',
        code: 'ok',
      }),
    ).toBe(1);
    const latency = after.find((f) => f.name === 'gridsync_intake_request_duration_seconds');
    expect(latency?.type).toBe('HISTOGRAM');
    expect(
      total(after, 'gridsync_jobs_settled_total', {
        tenant: 'acme',
        kind: 'grid.sync',
        outcome: 'succeeded',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      total(after, 'gridsync_crm_requests_total', { tenant: 'acme', crm: 'hubspot', status: '200' }),
    ).toBeGreaterThan(0);
    expect(total(after, 'gridsync_crm_requests_total', { tenant: 'acme' })).toBe(
      harness.fake.requests.filter((r) => !r.route.startsWith('POST /oauth')).length,
    );
    expect(total(after, 'gridsync_tasks_created_total', { tenant: 'acme' })).toBe(1);
    expect(total(after, 'gridsync_crm_budget_remaining', { tenant: 'acme', crm: 'hubspot' })).toBeGreaterThan(
      0,
    );
    expect(total(after, 'gridsync_crm_breaker_open', { tenant: 'acme' })).toBe(0);
    expect(after.find((f) => f.name === 'gridsync_queue_oldest_pending_seconds')).toBeDefined();
    expect(after.find((f) => f.name === 'gridsync_drift_findings_total')?.type).toBe('COUNTER');

    // Bounded labels: no grid id, domain or URL as sent appears anywhere in the exposition.
    const text = await (await fetch(`${harness.gridsync.url}/metrics`)).text();
    expect(text).not.toContain('ledgerline');
    expect(text).not.toContain('grid-2026');
  });

  it('counts retries, 429s, the open breaker and refusals by their problem code', async () => {
    harness = await startHarness();
    const { dealId } = seedLedgerline(harness.fake);
    // Two 503s: retried in-process, then the batch goes through.
    harness.fake.failNext(2, 503);
    await harness.postGrid(ledgerlineGrid({ deal: { crmId: dealId } }));
    await harness.settle();
    let after = await scrape(harness);
    expect(total(after, 'gridsync_crm_requests_total', { tenant: 'acme', status: '503' })).toBe(2);
    expect(total(after, 'gridsync_crm_retries_total', { tenant: 'acme', reason: 'unavailable' })).toBe(2);

    // A 429: counted as a rate limit, and sent again once the window allows.
    harness.fake.failNext(1, 429);
    await harness.postGrid(ledgerlineGrid({ gridId: 'grid-metrics-second', deal: { crmId: dealId } }));
    await harness.settle();
    after = await scrape(harness);
    expect(total(after, 'gridsync_crm_rate_limited_total', { tenant: 'acme', crm: 'hubspot' })).toBe(1);
    expect(total(after, 'gridsync_crm_requests_total', { tenant: 'acme', status: '429' })).toBe(1);

    // An outage longer than a request's tries: the job is retried later and the breaker opens.
    harness.fake.failFor(60_000, 503);
    await harness.postGrid(ledgerlineGrid({ gridId: 'grid-metrics-third', deal: { crmId: dealId } }));
    await harness.settle();
    after = await scrape(harness);
    expect(
      total(after, 'gridsync_jobs_settled_total', { tenant: 'acme', kind: 'grid.sync', outcome: 'retried' }),
    ).toBe(1);
    expect(total(after, 'gridsync_crm_breaker_open', { tenant: 'acme' })).toBe(1);
    expect(total(after, 'gridsync_jobs', { tenant: 'acme', kind: 'grid.sync', state: 'pending' })).toBe(1);

    const unsigned = await fetch(`${harness.gridsync.url}/v1/tenants/acme/grids`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(unsigned.status).toBe(401);
    after = await scrape(harness);
    expect(total(after, 'gridsync_intake_requests_total', { code: 'signature_missing', status: '401' })).toBe(
      1,
    );
  });

  it('counts Salesforce calls of a Salesforce tenant through the same pipeline', async () => {
    const sf = await startSalesforceHarness();
    try {
      expect((await sf.postGrid(ledgerlineGrid({ gridId: 'grid-metrics-salesforce' }))).status).toBe(202);
      await sf.settle();
      const response = await fetch(`${sf.gridsync.url}/metrics`);
      const after = parsePrometheusTextFormat(await response.text());
      const calls = total(after, 'gridsync_crm_requests_total', { tenant: 'globex', crm: 'salesforce' });
      expect(calls).toBeGreaterThan(0);
      expect(
        total(after, 'gridsync_crm_budget_remaining', { tenant: 'globex', crm: 'salesforce' }),
      ).toBeGreaterThan(0);
    } finally {
      await sf.close();
    }
  });

  it('asks for the bearer token when GRIDSYNC_METRICS_TOKEN is set', async () => {
    harness = await startHarness({ env: { GRIDSYNC_METRICS_TOKEN: 'metrics-token-0123456789' } });
    const refused = await fetch(`${harness.gridsync.url}/metrics`);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { code: string }).code).toBe('metrics_token_invalid');
    const wrong = await fetch(`${harness.gridsync.url}/metrics`, {
      headers: { authorization: 'Bearer metrics-token-0123456780' },
    });
    expect(wrong.status).toBe(401);
    const families = await scrape(harness, { authorization: 'Bearer metrics-token-0123456789' });
    expect(families.length).toBeGreaterThan(10);
  });
});

/**
 * bench/burst-batching: grids that arrive together go out together. A running gridsync
 * (intake on a real port, the worker, a temp SQLite store) gets N grids POSTed concurrently over HTTP, for a
 * HubSpot tenant (local stand-in) and a Salesforce tenant (local stand-in); the stand-ins count the batch write
 * calls. Then 20 isolated grids, one after another: the time from each 202 to its record in the CRM.
 *
 * The baseline in the same run is the worker without the burst linger ({ quietMs: 0, maxMs: 0 }: it claims
 * whatever has committed as soon as it wakes), as gridsync behaved before.
 *
 *   node bench/burst-batching.ts                       250 HubSpot grids, 500 Salesforce grids
 *   BENCH_HS_GRIDS=500 BENCH_SF_GRIDS=1000 node bench/burst-batching.ts
 */
import { startHarness } from '../test/support/gridsync-harness.ts';
import { startSalesforceHarness } from '../test/support/salesforce-harness.ts';
import { ledgerlineGrid } from '../test/support/fixtures.ts';

const HS_GRIDS = Number(process.env['BENCH_HS_GRIDS'] ?? 250);
const SF_GRIDS = Number(process.env['BENCH_SF_GRIDS'] ?? 500);
const NO_LINGER = { quietMs: 0, maxMs: 0 };

type Linger = { quietMs: number; maxMs: number } | undefined;
const grids = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => ledgerlineGrid({ gridId: `${prefix}-${i}` }));

async function post(h: { postGrid(g: unknown): Promise<Response> }, batch: unknown[]): Promise<number> {
  const started = performance.now();
  const answers = await Promise.all(batch.map((g) => h.postGrid(g)));
  if (answers.some((a) => a.status !== 202)) throw new Error('a grid was refused');
  return performance.now() - started;
}

async function hubspotBurst(linger: Linger) {
  const h = await startHarness({
    fake: { requestsPerWindow: 1_000, recordBodies: false },
    ...(linger ? { runner: { linger } } : {}),
  });
  try {
    const postMs = await post(h, grids('hs', HS_GRIDS));
    await h.settle();
    const records = h.fake.store.records('p_sales_grid').length;
    return { calls: h.fake.callCount(/\/p_sales_grid\/batch\/upsert$/), records, postMs };
  } finally {
    await h.close();
  }
}

async function salesforceBurst(linger: Linger) {
  const h = await startSalesforceHarness({
    fake: { recordBodies: false },
    ...(linger ? { runner: { linger } } : {}),
  });
  try {
    const postMs = await post(h, grids('sf', SF_GRIDS));
    await h.settle();
    const records = h.fake.org.records('Sales_Grid__c').length;
    const calls = h.fake.requests.filter((r) =>
      r.route.startsWith('PATCH /composite/sobjects/Sales_Grid__c'),
    ).length;
    return { calls, records, postMs };
  } finally {
    await h.close();
  }
}

async function isolatedMedianMs(linger: Linger): Promise<number> {
  const h = await startHarness({ ...(linger ? { runner: { linger } } : {}) });
  try {
    const latencies: number[] = [];
    for (const grid of grids('alone', 20)) {
      await h.postGrid(grid);
      const accepted = performance.now();
      while (
        !h.fake.store.records('p_sales_grid').some((r) => r.properties['gridsync_grid_id'] === grid.gridId)
      ) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      latencies.push(performance.now() - accepted);
    }
    latencies.sort((a, b) => a - b);
    return (latencies[9]! + latencies[10]!) / 2;
  } finally {
    await h.close();
  }
}

const rows: string[] = [];
for (const [name, linger] of [
  ['baseline (no linger)', NO_LINGER],
  ['linger (defaults)', undefined],
] as const) {
  const hs = await hubspotBurst(linger);
  const sf = await salesforceBurst(linger);
  const alone = await isolatedMedianMs(linger);
  rows.push(
    `${name.padEnd(22)} HubSpot ${HS_GRIDS} grids: ${hs.calls} upserts (ideal ${Math.ceil(HS_GRIDS / 100)}), ${hs.records} records, posted in ${(hs.postMs / 1000).toFixed(1)} s | ` +
      `Salesforce ${SF_GRIDS} grids: ${sf.calls} collection calls (ideal ${Math.ceil(SF_GRIDS / 200)}), ${sf.records} records, posted in ${(sf.postMs / 1000).toFixed(1)} s | ` +
      `isolated grid 202 → CRM median of 20: ${Math.round(alone)} ms`,
  );
}
process.stdout.write(`${rows.join('\n')}\n`);

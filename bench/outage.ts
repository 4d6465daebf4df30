/**
 * bench/outage: HubSpot answers 503 to everything for OUTAGE_SECONDS (default 300, the five minutes),
 * with gridsync's production retry settings (adapter: 5 tries per request with capped jittered backoff;
 * worker: job retries from 2 s doubling to 5 minutes, 10 attempts). Prints when the outage ended, when every
 * grid was delivered, how many tries HubSpot saw and how far apart they were: backoff, not hammering.
 *
 *   node bench/outage.ts                 20 grids, 300 s of 503s (about 6 minutes)
 *   OUTAGE_SECONDS=30 node bench/outage.ts
 */
import { DEFAULT_REQUEST_RETRY } from '../src/crm/send-with-retry.ts';
import { DEFAULT_RETRY_SCHEDULE } from '../src/store/retry-schedule.ts';
import { ledgerlineGrid, seedLedgerline } from '../test/support/fixtures.ts';
import { startHarness } from '../test/support/gridsync-harness.ts';

const outageSeconds = Number(process.env['OUTAGE_SECONDS'] ?? 300);
const grids = Number(process.env['BENCH_GRIDS'] ?? 20);

const harness = await startHarness({
  retry: DEFAULT_REQUEST_RETRY,
  runner: { retrySchedule: DEFAULT_RETRY_SCHEDULE, idlePollMs: 2_000 },
});
seedLedgerline(harness.fake);
const started = Date.now();
harness.fake.failFor(outageSeconds * 1000, 503);
for (let i = 0; i < grids; i++) await harness.postGrid(ledgerlineGrid({ gridId: `grid-outage-${i}` }));
process.stdout.write(`bench/outage: ${grids} grids accepted; HubSpot answers 503 for ${outageSeconds} s\n`);

const delivered = () => harness.fake.store.records('p_sales_grid').length;
while (delivered() < grids && Date.now() - started < (outageSeconds + 600) * 1000) {
  await new Promise((resolve) => setTimeout(resolve, 1_000));
}
const finished = Date.now();
const failures = harness.fake.requests.filter((r) => r.status === 503).map((r) => r.at);
const outageEnd = started + outageSeconds * 1000;
const minute = Math.min(60_000, (outageSeconds * 1000) / 3);
const inFirst = failures.filter((at) => at < started + minute).length;
const inLast = failures.filter((at) => at >= outageEnd - minute && at < outageEnd).length;
const recovered = harness.fake.requests.find((r) => r.at >= outageEnd && r.status < 300)?.at ?? finished;
const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
process.stdout.write(
  [
    `  delivered               ${delivered()} of ${grids}`,
    `  outage ended after      ${outageSeconds} s; everything delivered after ${sec(finished - started)}`,
    `  503 answers             ${failures.length} (${(failures.length / grids).toFixed(1)} per grid, ${(failures.length / outageSeconds).toFixed(2)}/s over all grids)`,
    `  backoff                 ${inFirst} tries in the first ${sec(minute)} of the outage, ${inLast} in its last ${sec(minute)}`,
    `  first success           ${sec(recovered - outageEnd)} after the outage ended`,
  ].join('\n') + '\n',
);
process.exitCode = delivered() === grids ? 0 : 1;
await harness.close();

/**
 * The issue-15 backfill file (test/backfill/signals-import.test.ts, bench/signals-import.ts): NDJSON signal
 * lines over 400 accounts and 28 days, every 1,000th line from 500 on bad, alternately not JSON and with a
 * date that is not one.
 */
const DAY = 86_400_000;

/** Line n (1-based) of the file. */
export function signalLine(n: number, now: number): string {
  const signal = {
    id: `backfill-${n}`,
    type: 'product.active_day',
    account: { domain: `account-${n % 400}.example` },
    occurredAt: new Date(now - (n % 28) * DAY).toISOString(),
    source: 'product',
  };
  if (n % 1000 !== 500) return JSON.stringify(signal);
  return n % 2000 === 500 ? '{"id": "broken' : JSON.stringify({ ...signal, occurredAt: 'last tuesday' });
}

/** The whole file of `lines` lines. */
export function signalHistory(lines: number, now = Date.now()): string {
  return Array.from({ length: lines }, (_, i) => signalLine(i + 1, now)).join('\n') + '\n';
}

/**
 * Runs the store's hot paths once, as the service does (intake, claims, the scheduled pass, an account's signals
 * page by page, status reads, retention), so a query-plan test can look at every statement the store ran.
 */
import type { Signal } from '../../src/domain/signal.ts';
import type { Store } from '../../src/store/store.ts';
import { gridDelivery, makeGrid, makeSignal, signalsDelivery } from '../store/contract/fixtures.ts';

export async function runHotPaths(store: Store): Promise<void> {
  const now = new Date();
  const signals: Signal[] = Array.from({ length: 30 }, (_u, i) =>
    makeSignal(`s-${i}`, 'ledgerline.example', new Date(now.getTime() - i * 60_000).toISOString(), {
      contact: { email: `dev-${i % 3}@ledgerline.example` },
    }),
  );
  await store.acceptSignals(signalsDelivery('acme', 'wh-s', signals));
  await store.acceptGrid(gridDelivery('acme', 'wh-1', makeGrid()));
  await store.acceptGrid(
    gridDelivery(
      'acme',
      'wh-2',
      makeGrid({ capturedAt: '2026-11-21T10:00:00Z', idealScenario: 'A new take' }),
    ),
  );
  await store.acceptGrid(gridDelivery('acme', 'wh-2', makeGrid()));
  const jobs = await store.claim({ workerId: 'w', limit: 10, leaseMs: 60_000 });
  const [first, second, third] = jobs;
  if (first) await store.renewLease(first.id, 'w', 60_000);
  if (first) await store.complete(first.id, 'w');
  if (second) await store.fail(second.id, 'w', 'boom', new Date(now.getTime() + 1_000));
  if (third) await store.release(third.id, 'w');
  await store.nextRunAt();
  await store.getJobs('acme', 'grid.sync:acme:grid-ledgerline-maya');

  const since = new Date(now.getTime() - 86_400_000);
  const page = await store.listAccountSignalsPage('acme', 'ledgerline.example', since, null, 10);
  await store.listAccountSignalsPage('acme', 'ledgerline.example', since, page.next, 10);
  await store.countActiveUsers('acme', 'ledgerline.example', since);
  await store.listActiveAccounts('acme', since);

  const gridId = makeGrid().gridId;
  await store.getGrid('acme', gridId);
  await store.listGridIdsForAccount('acme', 'ledgerline.example');
  await store.listGridIdsAwaitingTask('acme');
  await store.listGridIdsFindingDeal('acme', now, 500);
  await store.deferDealWatch('acme', [gridId], now);
  await store.listAccountsDue('acme', now, 'basis');
  await store.getGridSyncState('acme', gridId);
  await store.getAccountState('acme', 'ledgerline.example');
  await store.getTaskEntry('acme', gridId);
  await store.beginTaskCreation('acme', gridId, 'marker');
  await store.markTaskCreated('acme', gridId, 'task-1', {});
  await store.getWrittenFields('acme', 'company', ['c-1']);
  await store.recordWrittenFields('acme', 'company', [{ recordKey: 'c-1', fields: { a: 'x' } }]);

  // Last, as it deletes every signal: the per-account delete runs too.
  await store.pruneSignals('acme', new Date(now.getTime() + 60_000), 100);
  await store.pruneFinishedJobs(now, 100);
  await store.pruneDeliveries(since, 100);
  await store.pruneGridVersions(now, 100);
}

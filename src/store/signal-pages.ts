/**
 * An account's signals as pages read one after another (listAccountSignalsPage with the last page's cursor), so
 * whoever reads them holds one page at a time. Each call of the returned function starts a new pass: the
 * evaluation makes two (its cluster rule reads ahead, src/qualification/cluster-tracker.ts); when everything
 * fits in the first page, the second pass reuses it instead of asking again.
 */
import type { Signal } from '../domain/signal.ts';
import type { SignalCursor, SignalRepository } from './store.ts';

/** Signals per page: a few hundred kilobytes of documents, whatever the account holds. */
export const SIGNAL_PAGE_SIZE = 1_000;

export function accountSignalPages(
  store: Pick<SignalRepository, 'listAccountSignalsPage'>,
  tenant: string,
  accountDomain: string,
  since: Date,
  pageSize: number = SIGNAL_PAGE_SIZE,
): () => AsyncIterable<Signal[]> {
  let onlyPage: Signal[] | undefined;
  return async function* pass() {
    if (onlyPage) {
      yield onlyPage;
      return;
    }
    let after: SignalCursor | null = null;
    let first = true;
    do {
      const page = await store.listAccountSignalsPage(tenant, accountDomain, since, after, pageSize);
      if (first && page.next === null) onlyPage = page.signals;
      first = false;
      yield page.signals;
      after = page.next;
    } while (after !== null);
  };
}

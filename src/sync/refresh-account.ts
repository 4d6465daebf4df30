/**
 * Re-evaluates one account: its signals in the window (read a page at a time, never all at once), its CRM ICP fields (cached), the tenant's scoring table
 * and qualification rule. The new state is stored; `changed` tells callers whether anything an AE or a mapping
 * could see moved (so dependent grids are re-synced only when needed).
 */
import type { SalesGrid } from '../domain/sales-grid.ts';
import { qualificationWindowStart } from '../qualification/aggregate-account.ts';
import {
  evaluateAccount,
  evaluateAccountSignals,
  signalLookbackStart,
} from '../qualification/evaluate-account.ts';
import { accountSignalPages, SIGNAL_PAGE_SIZE } from '../store/signal-pages.ts';
import type { SignalRepository, StateRepository } from '../store/store.ts';
import type { AccountState } from '../domain/account-state.ts';
import type { TenantContext } from './tenant-context.ts';

/** Signals are keyed by domain; a grid that names only a CRM id gets an account of its own. */
export function accountKeyOf(grid: SalesGrid): string {
  return grid.account.domain ?? `crm:${grid.account.crmId ?? 'unknown'}`;
}

export async function refreshAccount(
  runtime: TenantContext,
  store: SignalRepository & StateRepository,
  accountKey: string,
  now: Date,
  options: {
    /**
     * Runs before the new state is stored: work that must follow from a change (re-syncing the account's other
     * grids) is enqueued first, so a crash in between repeats the change on the next run instead of losing it.
     */
    beforeStore?: (previous: AccountState | undefined, state: AccountState) => Promise<void>;
  } = {},
): Promise<{ state: AccountState; changed: boolean }> {
  const { mapping } = runtime.loaded;
  const input = {
    domain: accountKey,
    mapping,
    crmCompanyFields: runtime.companyFields.get(accountKey) ?? {},
    now,
  };
  const since = signalLookbackStart(mapping, now);
  const first = accountKey.startsWith('crm:')
    ? { signals: [], next: null }
    : await store.listAccountSignalsPage(runtime.tenant, accountKey, since, null, SIGNAL_PAGE_SIZE);
  // Most accounts fit in one page: evaluated from it at once (the same fold, without a second pass or query).
  const evaluated =
    first.next === null
      ? evaluateAccount({ ...input, signals: first.signals })
      : await evaluateAccountSignals({
          ...input,
          pages: accountSignalPages(store, runtime.tenant, accountKey, since),
          activeUsers: await store.countActiveUsers(
            runtime.tenant,
            accountKey,
            new Date(qualificationWindowStart(mapping.qualification, now)),
          ),
        });
  const state: AccountState = { ...evaluated, basis: runtime.loaded.contentHash };
  const previous = await store.getAccountState(runtime.tenant, accountKey);
  const changed = previous === undefined || visibleFacts(previous) !== visibleFacts(state);
  await options.beforeStore?.(previous, state);
  await store.putAccountState(runtime.tenant, accountKey, state);
  return { state, changed };
}

/** What mappings and tasks can read of an account; evaluation timestamps alone are not a change. */
function visibleFacts(state: AccountState): string {
  return JSON.stringify([
    Math.round(state.score * 10) / 10,
    state.level,
    state.signalCount,
    state.lastSignalAt,
    state.verdict.qualified,
    state.verdict.summary,
    state.verdict.ruleVersion,
  ]);
}

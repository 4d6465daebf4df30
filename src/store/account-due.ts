/**
 * What both adapters keep in columns beside an account's state document, so the scheduled pass finds the
 * accounts due and the grids awaiting a task through indexes instead of reading every document.
 */
import type { AccountState } from '../domain/account-state.ts';

export interface AccountDueColumns {
  qualified: boolean;
  /** When the pass should re-evaluate it; 0 (at once) for a document without nextChangeAt; null: never by time. */
  dueAtMs: number | null;
  basis: string;
}

export function accountDueColumns(state: AccountState): AccountDueColumns {
  const next = state.nextChangeAt;
  return {
    qualified: state.verdict.qualified,
    dueAtMs: next === undefined ? 0 : next === null ? null : Date.parse(next),
    basis: state.basis ?? '',
  };
}

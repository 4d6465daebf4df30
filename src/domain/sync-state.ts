/**
 * The document the grid sync keeps per grid (the store's StateRepository), shown as it is on the grid's status
 * endpoint. Plain JSON: dates are ISO strings. Written by src/sync, stored by src/store, read by src/intake: so
 * it lives here, below all three. The per-account document is account-state.ts.
 */
import type { GridCompleteness } from './grid-completeness.ts';

export type TargetState = 'pending' | 'synced' | 'failed' | 'dry_run' | 'skipped';

export interface TargetSync {
  state: TargetState;
  /** CRM record id once known. */
  crmId?: string;
  /** Human-readable; for mapping-caused errors it names the mapping file line. */
  error?: string;
  /** A failed target the CRM refused for good (trying again cannot help): the grid becomes a dead letter. */
  permanent?: boolean;
  updatedAt: string;
}

export interface GridSyncState {
  crm: 'hubspot' | 'salesforce';
  mode: 'live' | 'dry_run';
  /** Version of the grid this state describes. */
  version: number;
  targets: {
    gridRecord: TargetSync;
    deal?: TargetSync;
    company?: TargetSync;
    contact?: TargetSync;
    associations?: TargetSync;
  };
  /** What could not be found in the CRM (company by domain, contact by email, deal by id): reported, not guessed. */
  unresolved: string[];
  /** Dry-run tenants: the writes that would have been sent. */
  plannedWrites?: unknown[];
  /** Notes that did not stop the sync, e.g. text cut to fit a field (onTooLong: truncate). */
  warnings?: string[];
  /** The last retryable error while the job is being retried (cleared by a successful sync). */
  retrying?: { error: string; at: string };
  /** Which deal the grid is on and why (given by deal.crmId, found by the mapping's deal rule, created, waiting). */
  deal?: GridDealState;
  /**
   * The completeness the worker judged this version by, when not the intake's (the mapping's completeness rules
   * changed in between; see `rules`). The grid's status shows it instead of the intake's.
   */
  completeness?: GridCompleteness;
  /** Where the AE task stands from the worker's point of view (the ledger holds the created task). */
  task?: GridTaskState;
  /** Set when the sync job gave up (dead letter). */
  deadLetter?: { attempts: number; lastError: string; at: string };
  /** Set by `gridsync deadletters replay`: the job is queued again; cleared by the next sync. */
  replayed?: { at: string; previousError: string };
  updatedAt: string;
}

export interface GridTaskState {
  /**
   * not_eligible: the grid is incomplete or the account does not qualify (reason says which).
   * blocked: eligible, but the task cannot be created (no active owner, say).
   * created: the task exists (crmTaskId). planned: dry-run, the task that would be created.
   */
  state: 'not_eligible' | 'blocked' | 'created' | 'planned';
  reason: string;
  crmTaskId?: string;
  owner?: { id: string; step: string; skipped: { step: string; ownerId?: string; reason: string }[] };
  preview?: { subject: string; body: string; dueAt: string; priority: string };
}

export interface GridDealState {
  /**
   * given: the grid names deal.crmId. found: the deal rule picked it. created: gridsync opened it (whenNone:
   * create). waiting: no deal of the company counts yet (whenNone: wait, or gridsync's own deal is closed).
   * failed: the CRM refused the deal gridsync tried to open.
   */
  state: 'given' | 'found' | 'created' | 'waiting' | 'failed';
  crmId?: string;
  name?: string;
  /** Why this deal, in words: "the most recently created of 2 open deals of Ledgerline in pipeline default". */
  reason: string;
  /** The company whose deals were looked at. */
  companyId?: string;
  /** The deal the grid was on before the rule moved it, and why it moved. */
  movedFrom?: { crmId: string; reason: string };
  checkedAt: string;
}

/**
 * What a tenant's mapping turns into on the CRM side: a live client, or dry-run mode with the reason (no
 * crm.auth block, a credential not set). The worker holds one per tenant; the sync plans or sends through it.
 */
import type { Logger } from '../lib/logger.ts';
import type { LoadedMapping } from '../mapping/loaded-mapping.ts';
import type { SharedWindows } from '../lib/shared-window.ts';
import type { CrmClient } from './crm-client.ts';
import type { RetryPolicy } from './retry-decision.ts';

/** What the worker asks of a tenant's request budget: when it could send again (0: now). */
export interface BudgetGauge {
  readyInMs(now?: number): number;
  /** Reads the deployment-wide window again (if shared), so readyInMs also counts what other replicas spend. */
  refreshShared(): Promise<void>;
}

export type CrmConnection =
  { mode: 'live'; client: CrmClient; budget?: BudgetGauge } | { mode: 'dry_run'; reason: string };
export type CrmConnector = (loaded: LoadedMapping, logger: Logger) => CrmConnection;

/** How the process's connections are made, the same for every tenant (composeGridsync passes them). */
export interface ConnectionOptions {
  /** The worker's shutdown: it cuts every CRM retry wait and request in flight short. */
  signal?: AbortSignal;
  /** Request windows all replicas share (PostgreSQL), so each tenant has one budget per deployment. */
  shared?: SharedWindows;
  /**
   * Tunes the per-request retry policy (defaults: send-with-retry.ts, salesforce-limits.ts). A knob, not another
   * client: tests shorten the waits; production leaves it unset.
   */
  retry?: Partial<RetryPolicy>;
}

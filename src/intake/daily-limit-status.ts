/**
 * The `dailyLimit` member of GET /v1/tenants/:tenant/status: the CRM's daily request count as the tenant's
 * budget last heard it, a warning once it runs low, and while the limit is spent the moment gridsync resumes
 * calls (HubSpot: midnight in the portal's time zone). Pure; the worker supplies the reading.
 */

/** What the worker's budget knows (the shape of the CRM port's DailyLimitView; the intake does not import crm). */
export interface DailyLimitReading {
  limit?: number;
  remaining?: number;
  warning?: string;
  pausedUntil?: string;
}

/** Every `dailyLimit.state` (docs/setup-tenant.md documents each; a test checks). */
export const DAILY_LIMIT_STATES = ['ok', 'low', 'paused', 'not_reported'] as const;

/** One shape in every state (members that do not apply are null), so a client reads it without branching. */
export interface DailyLimitStatus {
  /** `paused`: the limit is spent, nothing is sent before `resumesAt`; `low`: the warning is on. */
  state: (typeof DAILY_LIMIT_STATES)[number];
  limit: number | null;
  remaining: number | null;
  warning: string | null;
  resumesAt: string | null;
  /** `not_reported` only: why there is no count. */
  reason: string | null;
}

export function describeDailyLimit(
  crmMode: 'live' | 'dry_run' | 'unknown',
  reading: DailyLimitReading | undefined,
): DailyLimitStatus {
  if (crmMode !== 'live') return notReported('the tenant makes no CRM calls (not live)');
  if (reading === undefined) {
    return notReported(
      "the CRM has not reported a daily count since gridsync started (HubSpot OAuth apps' answers carry none)",
    );
  }
  const state = reading.pausedUntil !== undefined ? 'paused' : reading.warning !== undefined ? 'low' : 'ok';
  return {
    state,
    limit: reading.limit ?? null,
    remaining: reading.remaining ?? null,
    warning: reading.warning ?? null,
    resumesAt: reading.pausedUntil ?? null,
    reason: null,
  };
}

function notReported(reason: string): DailyLimitStatus {
  return { state: 'not_reported', limit: null, remaining: null, warning: null, resumesAt: null, reason };
}

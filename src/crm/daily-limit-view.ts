/**
 * What a tenant's request budget knows of its CRM's daily request limit, for the tenant's status: the count the
 * CRM last reported (HubSpot X-HubSpot-RateLimit-Daily(-Remaining), Salesforce Sforce-Limit-Info), the warning
 * once it runs low, and, while the limit is spent, when calls resume. A DAILY 429 closes the budget even when
 * the answers carry no count (OAuth apps get no daily headers), so the pause is read on its own.
 */
import type { RequestBudget } from './request-budget.ts';

export interface DailyLimitView {
  limit?: number;
  remaining?: number;
  warning?: string;
  /** ISO 8601: no request of the tenant's goes out before it. */
  pausedUntil?: string;
}

/** Undefined while the CRM has reported no daily count and the budget is not paused. */
export function dailyLimitView(budget: RequestBudget): DailyLimitView | undefined {
  const daily = budget.daily;
  const pausedUntil = budget.pausedUntil;
  if (daily === undefined && pausedUntil === undefined) return undefined;
  return {
    ...(daily === undefined ? {} : { limit: daily.limit, remaining: daily.remaining }),
    ...(daily?.warning === undefined ? {} : { warning: daily.warning }),
    ...(pausedUntil === undefined ? {} : { pausedUntil }),
  };
}

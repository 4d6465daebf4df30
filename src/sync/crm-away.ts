/**
 * A whole CRM request failed after the adapter's own retries: an outage, a rate or daily limit, or refused
 * credentials. That says nothing about the jobs in the batch, so they wait for the CRM without counting an
 * attempt (the runner puts them back); the tenant's breaker decides how long, and after refused credentials
 * the probe reconnects with the credentials read afresh (a rotated secret is picked up without a restart).
 */
import type { CrmError } from '../crm/crm-errors.ts';
import type { JobOutcome } from '../store/job.ts';
import type { TenantContext } from './tenant-context.ts';

export function waitForCrm(runtime: TenantContext, error: CrmError, now: Date): JobOutcome {
  const reconnect = error.kind === 'auth_failed';
  const waitMs = runtime.breaker.failed(now.getTime(), error.message, error.waitMs, { reconnect });
  const reason = reconnect
    ? `${error.message} (gridsync waits for the tenant to be reconnected and tries again in ${Math.ceil(waitMs / 1000)} s; no attempt is counted)`
    : `${error.message} (the CRM is left alone for ${Math.ceil(waitMs / 1000)} s; no attempt is counted)`;
  return { status: 'paused', error: reason, waitMs };
}

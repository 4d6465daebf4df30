/**
 * Signal-driven work for a batch of accounts of one tenant: re-score and re-qualify each account, write the
 * company fields that read account values (intent, qualification, last signal), and re-sync the account's
 * grids when something they show changed, which is how a qualifying account gets its AE task.
 */
import { CrmError } from '../crm/crm-errors.ts';
import { toProperties } from '../mapping/plan-fields.ts';
import type { AccountState } from '../domain/account-state.ts';
import { icpCrmFields } from '../qualification/icp-values.ts';
import type { JobOutcome } from '../store/job.ts';
import { gridSyncJob } from '../store/job-lifecycle.ts';
import type { NewJob, SyncStore } from '../store/store.ts';
import { keepChanged, rememberWritten } from './changed-fields.ts';
import { waitForCrm } from './crm-away.ts';
import { planWrites } from './plan-grid-sync.ts';
import { refreshAccount } from './refresh-account.ts';
import type { TenantContext } from './tenant-context.ts';

export async function refreshAccounts(
  store: SyncStore,
  runtime: TenantContext,
  domains: string[],
  now: Date,
): Promise<{ outcomes: Map<string, JobOutcome>; gridJobs: NewJob[] }> {
  const outcomes = new Map<string, JobOutcome>(domains.map((d) => [d, { status: 'done' }]));
  const { mapping } = runtime.loaded;
  const companies = new Map<string, string>();
  try {
    if (runtime.crm.mode === 'live' && domains.length > 0) {
      const found = await runtime.crm.client.findCompaniesByDomain(
        domains,
        icpCrmFields(mapping.qualification),
      );
      for (const [domain, company] of found) {
        companies.set(domain, company.id);
        runtime.companyFields.set(domain, company.fields);
      }
    }
    const changedAccounts: string[] = [];
    const states = new Map<string, AccountState>();
    for (const domain of domains) {
      const { state, changed } = await refreshAccount(runtime, store, domain, now);
      states.set(domain, state);
      if (changed) changedAccounts.push(domain);
    }
    if (runtime.crm.mode === 'live') {
      // The same plan a grid sync makes, for an account without a grid: its company's fields.
      const plans = [...companies].map(([domain, id]) => ({
        recordKey: id,
        fields:
          planWrites(mapping, { account: states.get(domain) }, { company: { id } }).company?.fields ?? [],
        target: domain,
      }));
      const changed = await keepChanged(
        store,
        runtime.tenant,
        'company',
        plans.filter((p) => p.fields.length > 0),
      );
      if (changed.length > 0) {
        const results = await runtime.crm.client.updateRecords(
          'company',
          changed.map((p) => ({ id: p.recordKey, properties: toProperties(p.fields) })),
        );
        await rememberWritten(
          store,
          runtime.tenant,
          'company',
          changed.filter((_p, i) => results[i]?.ok === true),
        );
      }
    }
    const gridJobs: NewJob[] = [];
    for (const domain of changedAccounts) {
      for (const gridId of await store.listGridIdsForAccount(runtime.tenant, domain)) {
        gridJobs.push(gridSyncJob(runtime.tenant, gridId, { maxAttempts: mapping.sync.maxAttempts }));
      }
    }
    if (runtime.crm.mode === 'live') runtime.breaker.succeeded();
    return { outcomes, gridJobs };
  } catch (thrown) {
    if (!(thrown instanceof CrmError) || !thrown.retryable) throw thrown;
    const waiting = waitForCrm(runtime, thrown, now);
    for (const domain of domains) outcomes.set(domain, waiting);
    return { outcomes, gridJobs: [] };
  }
}

/**
 * What the CRM adapter tests' tenant mappings (testMapping in hubspot-client.ts, salesforceMapping in
 * salesforce-client.ts) have in common, whichever CRM: secrets named after the tenant, one scored signal, a
 * qualification rule on the industry, and the AE task.
 */
import type { TenantMappingInput } from '../../src/mapping/mapping-schema.ts';

/** `industryField` is the CRM's own name of the company's industry field. */
export function tenantBasics(
  tenant: string,
  industryField: string,
): Pick<TenantMappingInput, 'tenant' | 'secrets' | 'scoring' | 'qualification' | 'task'> {
  const prefix = tenant.toUpperCase();
  return {
    tenant,
    secrets: {
      webhookSigningSecret: { env: `${prefix}_WEBHOOK_SECRET` },
      statusToken: { env: `${prefix}_STATUS_TOKEN` },
    },
    scoring: { signals: { 'product.active_day': { intent: 'high' } } },
    qualification: {
      usage: { activeDays: { min: 3 } },
      icp: { required: 1, criteria: { industry: { from: [{ crmField: industryField }], in: ['fintech'] } } },
    },
    task: {
      subject: 'Follow up {{grid.account.name}}',
      body: '{{grid.beforeScenario}}',
      owner: { chain: ['deal_owner'] },
    },
  };
}

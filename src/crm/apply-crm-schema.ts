/**
 * `mapping apply`'s writes, whichever CRM the mapping names: the changes planChanges chose, and the steps
 * the CRM leaves to a person, in words.
 */
import type { SecretLookup } from '../config/secrets.ts';
import type { Logger } from '../lib/logger.ts';
import type { TenantMapping } from '../mapping/mapping-schema.ts';
import type { SchemaChange } from '../schema-plan/apply-changes.ts';
import { CrmError } from './crm-errors.ts';
import { applyHubSpotChanges } from './hubspot/hubspot-schema-writes.ts';
import { hubSpotSchemaHttp } from './hubspot/hubspot-schema.ts';
import { applySalesforceChanges } from './salesforce/salesforce-metadata.ts';
import { salesforceSchemaAccess } from './salesforce/salesforce-schema.ts';

export interface ApplyOutcome {
  steps: { done: string }[];
  humanSteps: string[];
}

export async function applyCrmChanges(
  mapping: TenantMapping,
  secrets: SecretLookup,
  logger: Logger,
  changes: readonly SchemaChange[],
): Promise<ApplyOutcome> {
  if (mapping.crm.type === 'hubspot') {
    const connection = hubSpotSchemaHttp(mapping, secrets, logger);
    if (!connection.ok) throw new CrmError('auth_failed', connection.reason);
    return { steps: await applyHubSpotChanges(connection.http, mapping, changes), humanSteps: [] };
  }
  const connection = salesforceSchemaAccess(mapping, secrets, logger);
  if (!connection.ok) throw new CrmError('auth_failed', connection.reason);
  return applySalesforceChanges(connection.access, mapping, changes);
}

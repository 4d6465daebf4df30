/**
 * A tenant's live CRM schema for `mapping plan` and the drift watch, whichever CRM its mapping names. Fails
 * with a CrmError (connection, credentials) or says why there is no connection at all (dry-run tenant).
 */
import type { SecretLookup } from '../config/secrets.ts';
import type { Logger } from '../lib/logger.ts';
import type { SharedWindows } from '../lib/shared-window.ts';
import type { TenantMapping } from '../mapping/mapping-schema.ts';
import type { CrmSchemaSnapshot } from '../schema-plan/crm-schema.ts';
import { hubSpotSchemaHttp, readHubSpotSchema } from './hubspot/hubspot-schema.ts';
import { readSalesforceSchema, salesforceSchemaAccess } from './salesforce/salesforce-schema.ts';

export type SchemaRead = { ok: true; schema: CrmSchemaSnapshot } | { ok: false; reason: string };

/**
 * `shared`: the deployment's request windows, so schema reads count against the tenant's one budget too.
 * `signal`: the process's shutdown, which cuts the reads' waits and requests short like the sync's.
 */
export async function readCrmSchema(
  mapping: TenantMapping,
  secrets: SecretLookup,
  logger: Logger,
  shared?: SharedWindows,
  signal?: AbortSignal,
): Promise<SchemaRead> {
  if (mapping.crm.type === 'hubspot') {
    const connection = hubSpotSchemaHttp(mapping, secrets, logger, shared, signal);
    if (!connection.ok) return connection;
    return { ok: true, schema: await readHubSpotSchema(connection.http, mapping) };
  }
  const connection = salesforceSchemaAccess(mapping, secrets, logger, signal);
  if (!connection.ok) return connection;
  return { ok: true, schema: await readSalesforceSchema(connection.access.http, mapping) };
}

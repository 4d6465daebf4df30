/** Grid records one CRM write call carries: what the worker waits to fill before it syncs a burst. */
import { HUBSPOT_LIMITS } from './hubspot/hubspot-limits.ts';
import { COLLECTION_BATCH_SIZE } from './salesforce/salesforce-limits.ts';

export function gridWriteBatchSize(crm: 'hubspot' | 'salesforce'): number {
  return crm === 'hubspot' ? HUBSPOT_LIMITS.objectBatchSize : COLLECTION_BATCH_SIZE;
}

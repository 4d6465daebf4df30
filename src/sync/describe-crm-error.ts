/**
 * Turns a CRM error into the sentence shown on a grid's status. When the CRM names a field, the sentence points
 * at the mapping file line that produced it, so RevOps knows what to fix.
 */
import type { CrmError } from '../crm/crm-errors.ts';
import { formatLocation, type LoadedMapping } from '../mapping/loaded-mapping.ts';
import type { PlannedField } from '../mapping/plan-fields.ts';

export function describeCrmError(
  error: CrmError,
  loaded: LoadedMapping,
  fields: readonly PlannedField[] = [],
): string {
  const parts = [error.message];
  if (error.field !== undefined) {
    const origin = fields.find((f) => f.field.toLowerCase() === error.field?.toLowerCase())?.origin;
    const location = origin ? loaded.locate(origin) : undefined;
    if (origin && location) {
      parts.push(`(field "${error.field}" comes from ${formatLocation(location)} ${origin.join('.')})`);
    } else if (origin) parts.push(`(field "${error.field}" comes from ${loaded.file} ${origin.join('.')})`);
  }
  if (error.correlationId !== undefined) parts.push(`[correlation id ${error.correlationId}]`);
  return parts.join(' ');
}

/** Reads the mapping line describeCrmError wrote back: (field "x" comes from FILE[:L:C] PATH). */
export const CRM_ERROR_MAPPING_LINE = /\(field "([^"]+)" comes from (\S+) ([^\s)]+)\)/g;

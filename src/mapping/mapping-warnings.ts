/**
 * Things in a valid mapping that will go wrong at the CRM, reported by `gridsync mapping validate` without
 * failing it (exit code 0): the file loads, and the tenant runs, but RevOps should change it.
 */
import { formatLocation, type LoadedMapping } from './loaded-mapping.ts';

export interface MappingWarning {
  code: 'hubspot_bare_object_name';
  file: string;
  line: number;
  column: number;
  path: string;
  message: string;
  hint: string;
}

/**
 * HubSpot names a custom object by its objectTypeId (2-12345), its fullyQualifiedName (p12345_sales_grid) or
 * the short-hand p_sales_grid. Its bare name (sales_grid) was accepted, undocumented, until 24 June 2025 and is
 * refused since (developer changelog, "Removed Support for Referencing Custom Object Types by Base Name").
 */
const HUBSPOT_CUSTOM_OBJECT_REF = /^(\d+-\d+|p\d*_[A-Za-z0-9_]+)$/;
/** HubSpot's own objects, which are named by their plural name. */
const HUBSPOT_STANDARD_OBJECTS = new Set([
  'companies',
  'contacts',
  'deals',
  'tickets',
  'products',
  'line_items',
  'quotes',
  'calls',
  'emails',
  'meetings',
  'notes',
  'tasks',
  'leads',
]);

export function mappingWarnings(loaded: LoadedMapping): MappingWarning[] {
  const { mapping } = loaded;
  const warnings: MappingWarning[] = [];
  const object = mapping.grid.object;
  if (
    mapping.crm.type === 'hubspot' &&
    !HUBSPOT_CUSTOM_OBJECT_REF.test(object) &&
    !HUBSPOT_STANDARD_OBJECTS.has(object)
  ) {
    const at = loaded.locate(['grid', 'object']) ?? { file: loaded.file, line: 0, column: 0 };
    warnings.push({
      code: 'hubspot_bare_object_name',
      ...at,
      path: 'grid.object',
      message: `"${object}" is a custom object's bare name, which HubSpot has refused since June 2025`,
      hint: `write "p_${object}", its fully qualified name (p<portalId>_${object}) or its objectTypeId (2-…), as HubSpot's custom object settings show`,
    });
  }
  return warnings;
}

/** `file:line:column  warning: path: message`, with an indented hint, like a problem line. */
export function formatMappingWarning(warning: MappingWarning): string {
  const where = warning.line > 0 ? formatLocation(warning) : warning.file;
  return `${where}  warning: ${warning.path}: ${warning.message}\n    hint: ${warning.hint}`;
}

/**
 * `mapping apply` on HubSpot: creates the custom object (its key property with unique values, searchable and
 * display properties, associations to deals, companies and contacts), properties in a "gridsync" property
 * group, missing enumeration options (the full option list is sent back with the new ones appended: HubSpot
 * replaces the list on PATCH, so nothing already there is dropped) and association definitions. Only creates
 * and appends; every step is safe to repeat.
 */
import type { TenantMapping } from '../../mapping/mapping-schema.ts';
import type { SchemaChange } from '../../schema-plan/apply-changes.ts';
import { hubSpotProperty } from '../../schema-plan/desired-field.ts';
import type { FieldRequirement } from '../../schema-plan/mapping-requirements.ts';
import type { HubSpotHttp } from './hubspot-http.ts';
import { hubSpotPaths } from './hubspot-paths.ts';
import {
  type HubSpotProperty,
  listSchemas,
  namesSchema,
  STANDARD_OBJECT_TYPE_IDS,
} from './hubspot-schema.ts';

export const GRIDSYNC_PROPERTY_GROUP = 'gridsync';
const STANDARD_TYPES = { deal: 'deals', company: 'companies', contact: 'contacts' } as const;
const ASSOCIATED_OBJECTS = { deal: 'DEAL', company: 'COMPANY', contact: 'CONTACT' } as const;

export interface AppliedStep {
  done: string;
}

function humanize(name: string): string {
  const words = name
    .replace(/^gridsync_/, '')
    .replace(/__c$/, '')
    .split('_')
    .filter(Boolean);
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** `p_sales_grid`, `p123_sales_grid` → `sales_grid`; an objectTypeId cannot name an object to create. */
export function customObjectName(objectType: string): string | undefined {
  if (/^\d+-\d+$/.test(objectType)) return undefined;
  return objectType.replace(/^p\d*_/, '');
}

function propertyBody(need: FieldRequirement, groupName: string | undefined) {
  const spec = hubSpotProperty(need);
  return {
    name: need.field,
    label: humanize(need.field),
    type: spec.type,
    fieldType: spec.fieldType,
    ...(groupName === undefined ? {} : { groupName }),
    ...(spec.hasUniqueValue ? { hasUniqueValue: true } : {}),
    ...(spec.options === undefined
      ? {}
      : {
          options: spec.options.map((value, displayOrder) => ({
            label: spec.type === 'bool' ? (value === 'true' ? 'Yes' : 'No') : value,
            value,
            displayOrder,
            hidden: false,
          })),
        }),
  };
}

export async function applyHubSpotChanges(
  http: HubSpotHttp,
  mapping: TenantMapping,
  changes: readonly SchemaChange[],
): Promise<AppliedStep[]> {
  const steps: AppliedStep[] = [];
  const groupsReady = new Set<string>();
  let gridTypeId: string | undefined;

  const gridObjectTypeId = async (): Promise<string> => {
    gridTypeId ??= (await listSchemas(http)).find((s) => namesSchema(s, mapping.grid.object))?.objectTypeId;
    if (gridTypeId === undefined) throw new Error(`HubSpot has no custom object ${mapping.grid.object}`);
    return gridTypeId;
  };

  const ensureGroup = async (objectType: string): Promise<void> => {
    if (groupsReady.has(objectType)) return;
    const { status } = await http({
      method: 'POST',
      path: hubSpotPaths.propertyGroups(objectType),
      body: { name: GRIDSYNC_PROPERTY_GROUP, label: 'gridsync', displayOrder: -1 },
      what: `create the gridsync property group on ${objectType}`,
      answerStatuses: [409],
    });
    if (status < 300) steps.push({ done: `created the property group "gridsync" on ${objectType}` });
    groupsReady.add(objectType);
  };

  for (const change of changes) {
    switch (change.kind) {
      case 'create_object': {
        const name = customObjectName(change.object);
        if (name === undefined) {
          throw new Error(
            `${change.object} is an objectTypeId: apply cannot create an object under an id; name it p_<name> in grid.object`,
          );
        }
        const key = mapping.grid.externalIdField;
        const display = change.fields.find((f) => f.purpose === 'write' && f.shape === 'text')?.field ?? key;
        const body = {
          name,
          labels: { singular: humanize(name), plural: `${humanize(name)}s` },
          primaryDisplayProperty: display,
          secondaryDisplayProperties: display === key ? [] : [key],
          searchableProperties: [...new Set([key, display])],
          requiredProperties: [key],
          properties: change.fields.map((need) => propertyBody(need, undefined)),
          associatedObjects: change.associate.map((role) => ASSOCIATED_OBJECTS[role]),
        };
        const { body: created } = await http({
          method: 'POST',
          path: hubSpotPaths.schemas(),
          body,
          what: `create the custom object ${name}`,
          idempotent: false,
        });
        gridTypeId = (created as { objectTypeId?: string } | undefined)?.objectTypeId;
        steps.push({
          done: `created the custom object ${name} (${gridTypeId ?? '?'}) with ${change.fields.length} properties, ${key} unique, associated with ${change.associate.join(', ') || 'nothing'}`,
        });
        break;
      }
      case 'create_field': {
        const objectType = change.role === 'grid' ? await gridObjectTypeId() : STANDARD_TYPES[change.role];
        if (change.role !== 'grid') await ensureGroup(objectType);
        const { status } = await http({
          method: 'POST',
          path: hubSpotPaths.properties(objectType),
          body: propertyBody(
            change.need,
            change.role === 'grid'
              ? `${customObjectName(mapping.grid.object) ?? 'object'}_information`
              : GRIDSYNC_PROPERTY_GROUP,
          ),
          what: `create the property ${change.need.field} on ${objectType}`,
          answerStatuses: [409],
        });
        steps.push({
          done:
            status === 409
              ? `${change.object}.${change.need.field} already existed`
              : `created the property ${change.object}.${change.need.field}`,
        });
        break;
      }
      case 'add_options': {
        const objectType = change.role === 'grid' ? await gridObjectTypeId() : STANDARD_TYPES[change.role];
        const { body: current } = await http({
          method: 'GET',
          path: hubSpotPaths.property(objectType, change.field),
          what: `read the property ${change.field} of ${objectType}`,
        });
        const existing = (current as HubSpotProperty | undefined)?.options ?? [];
        const have = new Set(existing.map((o) => o.value));
        const added = change.options.filter((o) => !have.has(o));
        if (added.length === 0) break;
        const options = [
          ...existing,
          ...added.map((value, i) => ({
            label: value,
            value,
            displayOrder: existing.length + i,
            hidden: false,
          })),
        ];
        await http({
          method: 'PATCH',
          path: hubSpotPaths.property(objectType, change.field),
          body: { options },
          what: `add options to ${objectType}.${change.field}`,
        });
        steps.push({ done: `added option(s) ${added.join(', ')} to ${change.object}.${change.field}` });
        break;
      }
      case 'create_association': {
        const from = await gridObjectTypeId();
        const to = STANDARD_OBJECT_TYPE_IDS[STANDARD_TYPES[change.role]];
        await http({
          method: 'POST',
          path: hubSpotPaths.schemaAssociations(from),
          body: {
            fromObjectTypeId: from,
            toObjectTypeId: to,
            name: `${customObjectName(mapping.grid.object) ?? 'grid'}_to_${STANDARD_TYPES[change.role]}`,
          },
          what: `create the association ${from} → ${to}`,
          idempotent: false,
        });
        steps.push({
          done: `created the association ${mapping.grid.object} ↔ ${STANDARD_TYPES[change.role]}`,
        });
        break;
      }
      case 'grant_access':
        // HubSpot has no field-level security for integrations: nothing to grant.
        break;
    }
  }
  return steps;
}

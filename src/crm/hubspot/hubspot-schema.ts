/**
 * Reads a HubSpot portal's schema for `mapping plan`: the custom object (object schemas API), the
 * properties of it and of deals, companies and contacts (properties API), and the grid object's association
 * types. Date-versioned paths only (hubspot-paths.ts). Each read is one GET per object, so a plan costs 5
 * requests of the tenant's budget.
 */
import type { SecretLookup } from '../../config/secrets.ts';
import type { Logger } from '../../lib/logger.ts';
import type { SharedWindows } from '../../lib/shared-window.ts';
import type { TenantMapping } from '../../mapping/mapping-schema.ts';
import type {
  CrmAssociationType,
  CrmField,
  CrmObject,
  CrmSchemaSnapshot,
  FieldKind,
} from '../../schema-plan/crm-schema.ts';
import { resolveCredentials } from '../resolve-credentials.ts';
import { DEFAULT_REQUEST_RETRY } from '../send-with-retry.ts';
import { oauthTokenProvider, staticTokenProvider, type HubSpotTokenProvider } from './hubspot-auth.ts';
import { tenantBudget } from './hubspot-budgets.ts';
import { createHubSpotHttp, type HubSpotHttp } from './hubspot-http.ts';
import { HUBSPOT_DEFAULT_BASE_URL, type HubSpotSettings } from './hubspot-limits.ts';
import { hubSpotPaths } from './hubspot-paths.ts';

/** HubSpot's own property definition, as the properties and schemas APIs answer it (the members read here). */
export interface HubSpotProperty {
  name: string;
  label?: string;
  type?: string;
  fieldType?: string;
  groupName?: string;
  options?: { label?: string; value: string; displayOrder?: number; hidden?: boolean }[];
  hasUniqueValue?: boolean;
  calculated?: boolean;
  hubspotDefined?: boolean;
  modificationMetadata?: { readOnlyValue?: boolean; readOnlyDefinition?: boolean; readOnlyOptions?: boolean };
}

export interface HubSpotObjectSchema {
  id: string;
  objectTypeId: string;
  name: string;
  fullyQualifiedName: string;
  properties?: HubSpotProperty[];
  associations?: { id: string; fromObjectTypeId: string; toObjectTypeId: string; name?: string }[];
}

/** objectTypeIds of the standard objects a grid links to. */
export const STANDARD_OBJECT_TYPE_IDS = { deals: '0-3', companies: '0-2', contacts: '0-1' } as const;

/** A tenant's HubSpot connection for schema reads and writes, or why there is none. */
export function hubSpotSchemaHttp(
  mapping: TenantMapping,
  secrets: SecretLookup,
  logger: Logger,
  shared?: SharedWindows,
  signal?: AbortSignal,
): { ok: true; http: HubSpotHttp } | { ok: false; reason: string } {
  const crm = mapping.crm as HubSpotSettings;
  const auth = crm.auth;
  if (auth === undefined) return { ok: false, reason: 'the mapping has no crm.auth block' };
  const baseUrl = crm.baseUrl ?? HUBSPOT_DEFAULT_BASE_URL;
  let tokens: HubSpotTokenProvider;
  if (auth.kind === 'static_token') {
    const credentials = resolveCredentials({ token: auth.token }, secrets);
    if (!credentials.ok) return { ok: false, reason: credentials.missing };
    tokens = staticTokenProvider(credentials.values.token);
  } else {
    const credentials = resolveCredentials(
      { clientId: auth.clientId, clientSecret: auth.clientSecret, refreshToken: auth.refreshToken },
      secrets,
    );
    if (!credentials.ok) return { ok: false, reason: credentials.missing };
    tokens = oauthTokenProvider({ ...credentials.values, baseUrl, logger });
  }
  const http = createHubSpotHttp({
    baseUrl,
    tokens,
    budget: tenantBudget(crm, mapping.tenant, logger, shared),
    retry: DEFAULT_REQUEST_RETRY,
    logger,
    ...(signal === undefined ? {} : { signal }),
  });
  return { ok: true, http };
}

/** Whether `wanted` (as a mapping writes it) names this custom object. */
export function namesSchema(schema: HubSpotObjectSchema, wanted: string): boolean {
  const lower = wanted.toLowerCase();
  return [schema.objectTypeId, schema.fullyQualifiedName, `p_${schema.name}`]
    .map((n) => n.toLowerCase())
    .includes(lower);
}

export async function listSchemas(http: HubSpotHttp): Promise<HubSpotObjectSchema[]> {
  const { body } = await http({
    method: 'GET',
    path: hubSpotPaths.schemas(),
    what: 'list custom object schemas',
  });
  return ((body as { results?: HubSpotObjectSchema[] } | undefined)?.results ?? []).filter(
    (s) => typeof s.objectTypeId === 'string',
  );
}

export async function listProperties(http: HubSpotHttp, objectType: string): Promise<HubSpotProperty[]> {
  const { body } = await http({
    method: 'GET',
    path: hubSpotPaths.properties(objectType),
    what: `read the properties of ${objectType}`,
  });
  return (body as { results?: HubSpotProperty[] } | undefined)?.results ?? [];
}

function kindOf(property: HubSpotProperty): FieldKind {
  switch (property.type) {
    case 'string':
    case 'phone_number':
      return property.fieldType === 'textarea' || property.fieldType === 'html' ? 'longText' : 'text';
    case 'number':
      return 'number';
    case 'bool':
      return 'boolean';
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime';
    case 'enumeration':
      return property.fieldType === 'checkbox' ? 'multiEnumeration' : 'enumeration';
    default:
      return 'other';
  }
}

export function toCrmField(property: HubSpotProperty): CrmField {
  const readOnly = property.modificationMetadata?.readOnlyValue === true || property.calculated === true;
  const kind = kindOf(property);
  return {
    name: property.name,
    kind,
    crmType: `${property.type ?? '?'}/${property.fieldType ?? '?'}`,
    ...(kind === 'text' || kind === 'longText' ? { maxLength: 65_536 } : {}),
    ...(property.type === 'enumeration' || property.type === 'bool'
      ? { options: (property.options ?? []).map((o) => o.value) }
      : {}),
    unique: property.hasUniqueValue === true,
    externalId: property.hasUniqueValue === true,
    createable: !readOnly,
    updateable: !readOnly,
    ...(readOnly
      ? { readOnlyReason: property.calculated ? 'calculated' : 'modificationMetadata.readOnlyValue' }
      : {}),
    filterable: true,
  };
}

function toCrmObject(name: string, properties: HubSpotProperty[], schema?: HubSpotObjectSchema): CrmObject {
  const object: CrmObject = {
    name,
    fields: new Map(properties.map((p) => [p.name.toLowerCase(), toCrmField(p)])),
  };
  if (schema !== undefined) {
    object.objectTypeId = schema.objectTypeId;
    object.fullyQualifiedName = schema.fullyQualifiedName;
    const byTypeId = Object.entries(STANDARD_OBJECT_TYPE_IDS);
    object.associations = (schema.associations ?? []).flatMap((a): CrmAssociationType[] => {
      const other = a.fromObjectTypeId === schema.objectTypeId ? a.toObjectTypeId : a.fromObjectTypeId;
      const target = byTypeId.find(([, id]) => id === other)?.[0] as
        CrmAssociationType['toObject'] | undefined;
      return target === undefined ? [] : [{ toObject: target, typeId: Number(a.id), label: null }];
    });
  }
  return object;
}

/** Association labels between the grid object and a standard object (HubSpot-defined and user-defined). */
async function associationLabels(
  http: HubSpotHttp,
  from: string,
  to: CrmAssociationType['toObject'],
): Promise<CrmAssociationType[]> {
  const { status, body } = await http({
    method: 'GET',
    path: hubSpotPaths.associationLabels(from, to),
    what: `read the association labels ${from} → ${to}`,
    answerStatuses: [400, 404],
  });
  if (status >= 400) return [];
  const results =
    (body as { results?: { typeId?: number; label?: string | null }[] } | undefined)?.results ?? [];
  return results.flatMap((r) =>
    typeof r.typeId === 'number' ? [{ toObject: to, typeId: r.typeId, label: r.label ?? null }] : [],
  );
}

export async function readHubSpotSchema(
  http: HubSpotHttp,
  mapping: TenantMapping,
): Promise<CrmSchemaSnapshot> {
  const schemas = await listSchemas(http);
  const gridSchema = schemas.find((s) => namesSchema(s, mapping.grid.object));
  let grid: CrmObject | undefined;
  if (gridSchema !== undefined) {
    grid = toCrmObject(mapping.grid.object, await listProperties(http, gridSchema.objectTypeId), gridSchema);
    const labelled = Object.values(mapping.grid.associate).some((a) => a?.associationTypeId !== undefined);
    if (labelled) {
      for (const to of ['deals', 'companies', 'contacts'] as const) {
        grid.associations?.push(...(await associationLabels(http, gridSchema.objectTypeId, to)));
      }
    }
  }
  const standard = async (type: 'deals' | 'companies' | 'contacts') =>
    toCrmObject(type, await listProperties(http, type));
  return {
    crm: 'hubspot',
    objects: {
      grid,
      deal: await standard('deals'),
      company: await standard('companies'),
      contact: await standard('contacts'),
    },
    readAt: new Date().toISOString(),
  };
}

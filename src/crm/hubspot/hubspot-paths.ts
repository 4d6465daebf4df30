/**
 * Every HubSpot path gridsync calls, and the one API version they carry. HubSpot's REST APIs are date-versioned
 * since 2026-03 (`/crm/objects/2026-03/…`); the numeric paths (`/crm/v3/…`, `/crm/v4/…`, `/oauth/v1/…`) are
 * retired (OAuth v1 on 2027-02-16, associations v4 on 2027-03-30, the rest of v1–v3 in September 2027).
 * Date versions are available to every account, so there is no per-tenant fallback to the numeric paths.
 *
 * Moving to the next date version is the one line below, after checking HubSpot's changelog for what that
 * version changes (2026-09, for instance, enforces the portal's validation rules on CRM writes).
 *
 * Every variable segment is URL-encoded here, so no caller can put a `/` or `?` of a value into a path.
 * Owners are the exception that proves the rule: their id is a number, and `ownerPath` refuses anything else
 * rather than asking HubSpot about it (see isHubSpotNumericId).
 */
export const HUBSPOT_API_VERSION = '2026-03';

const V = HUBSPOT_API_VERSION;
const seg = encodeURIComponent;

export type ObjectBatchAction = 'create' | 'read' | 'update' | 'upsert' | 'archive';
export type AssociationBatchAction = 'associate/default' | 'create' | 'read' | 'archive';

/** Record, owner and association-type ids are decimal numbers at HubSpot. */
export function isHubSpotNumericId(id: string): boolean {
  return /^\d{1,20}$/.test(id);
}

export const hubSpotPaths = {
  /** `POST` creates one record (with associations); `objectType` is a name, objectTypeId or fullyQualifiedName. */
  objects: (objectType: string): string => `/crm/objects/${V}/${seg(objectType)}`,
  object: (objectType: string, id: string): string => `/crm/objects/${V}/${seg(objectType)}/${seg(id)}`,
  objectsBatch: (objectType: string, action: ObjectBatchAction): string =>
    `/crm/objects/${V}/${seg(objectType)}/batch/${action}`,
  objectsSearch: (objectType: string): string => `/crm/objects/${V}/${seg(objectType)}/search`,

  associationsBatch: (fromType: string, toType: string, action: AssociationBatchAction): string =>
    `/crm/associations/${V}/${seg(fromType)}/${seg(toType)}/batch/${action}`,
  /** `GET` lists the association types (labels) between two object types; `POST` creates a label. */
  associationLabels: (fromType: string, toType: string): string =>
    `/crm/associations/${V}/${seg(fromType)}/${seg(toType)}/labels`,

  properties: (objectType: string): string => `/crm/properties/${V}/${seg(objectType)}`,
  property: (objectType: string, name: string): string =>
    `/crm/properties/${V}/${seg(objectType)}/${seg(name)}`,
  propertiesBatch: (objectType: string, action: 'create' | 'read' | 'archive'): string =>
    `/crm/properties/${V}/${seg(objectType)}/batch/${action}`,
  propertyGroups: (objectType: string): string => `/crm/properties/${V}/${seg(objectType)}/groups`,

  schemas: (): string => `/crm-object-schemas/${V}/schemas`,
  schema: (objectType: string): string => `/crm-object-schemas/${V}/schemas/${seg(objectType)}`,
  schemaAssociations: (objectType: string): string =>
    `/crm-object-schemas/${V}/schemas/${seg(objectType)}/associations`,

  /** HubSpot documents owners on the date version too (`/crm/owners/2026-03`; v3 owners are "legacy"). */
  owners: (): string => `/crm/owners/${V}`,
  /** Throws on a non-numeric id: callers check isHubSpotNumericId first and treat such an id as unknown. */
  owner: (ownerId: string): string => {
    if (!isHubSpotNumericId(ownerId)) throw new Error(`not a HubSpot owner id: ${JSON.stringify(ownerId)}`);
    return `/crm/owners/${V}/${ownerId}`;
  },

  /** The portal's id, time zone (for the daily limit's reset) and data centre. */
  accountDetails: (): string => `/account-info/${V}/details`,

  /** Form-encoded; refresh_token and authorization_code grants; RFC 6749 error answers. */
  oauthToken: (): string => `/oauth/${V}/token`,
  oauthIntrospect: (): string => `/oauth/${V}/token/introspect`,
  oauthRevoke: (): string => `/oauth/${V}/token/revoke`,
} as const;

/**
 * Path prefixes of the retired numeric versions that have a date-versioned twin. The stand-in refuses them by
 * default, so a test proves gridsync calls none.
 */
export const RETIRED_HUBSPOT_PATH_PREFIXES = [
  '/crm/v3/objects/',
  '/crm/v4/',
  '/crm/v3/associations/',
  '/crm/v3/properties/',
  '/crm/v3/schemas',
  '/crm-object-schemas/v3/',
  '/crm/v3/owners',
  '/account-info/v3/',
  '/oauth/v1/',
  '/oauth/v3/',
] as const;

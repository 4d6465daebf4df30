/**
 * The live CRM schema as the plan compares it: one neutral shape for HubSpot object schemas and properties
 * and Salesforce describe results, filled by src/crm/hubspot/hubspot-schema.ts and
 * src/crm/salesforce/salesforce-schema.ts. Only what a comparison needs; the raw vendor words are kept in
 * `crmType` so findings can quote them.
 */

/** What a CRM field holds, in words both CRMs share. */
export type FieldKind =
  | 'text'
  | 'longText'
  | 'number'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'enumeration'
  | 'multiEnumeration'
  | 'reference'
  | 'id'
  | 'other';

export interface CrmField {
  name: string;
  kind: FieldKind;
  /** The vendor's own words: "string/textarea" (HubSpot type/fieldType), "textarea(32768)" (Salesforce). */
  crmType: string;
  /** Characters the field holds, when the CRM enforces a limit. */
  maxLength?: number;
  /** Option values of an enumeration / picklist. */
  options?: string[];
  /** False for a Salesforce picklist that accepts values outside its list. @default true */
  restrictedOptions?: boolean;
  /** HubSpot hasUniqueValue / Salesforce unique. */
  unique: boolean;
  /** Salesforce External ID (HubSpot: the same as unique). */
  externalId: boolean;
  /** Whether the integration user may create records with it / change it; why not, in the CRM's words. */
  createable: boolean;
  updateable: boolean;
  readOnlyReason?: string;
  /** Salesforce lookups: the objects it points at. */
  referenceTo?: string[];
  /** Salesforce: long text areas cannot be used in a WHERE clause. */
  filterable: boolean;
}

/** A HubSpot association type between the grid object and another object. */
export interface CrmAssociationType {
  toObject: 'deals' | 'companies' | 'contacts';
  typeId: number;
  label: string | null;
}

export interface CrmObject {
  /** The name the mapping uses (HubSpot objectType as written, Salesforce API name). */
  name: string;
  /** HubSpot's objectTypeId ("2-123456") and fully qualified name, for messages and writes. */
  objectTypeId?: string;
  fullyQualifiedName?: string;
  /** Lower-cased field name → field: both CRMs compare names case-insensitively here. */
  fields: Map<string, CrmField>;
  /** HubSpot only: association types from this object to deals, companies and contacts. */
  associations?: CrmAssociationType[];
}

export type ObjectRole = 'grid' | 'deal' | 'company' | 'contact';

/** What was read for one tenant: an object per role, undefined when the CRM has no such object. */
export interface CrmSchemaSnapshot {
  crm: 'hubspot' | 'salesforce';
  objects: Record<ObjectRole, CrmObject | undefined>;
  readAt: string;
}

export function fieldOf(object: CrmObject | undefined, name: string): CrmField | undefined {
  return object?.fields.get(name.toLowerCase());
}

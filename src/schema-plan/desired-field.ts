/**
 * The field `mapping apply` would create for a requirement, in each CRM's words: a grid section becomes a
 * multi-line text property (HubSpot textarea) or a Long Text Area (Salesforce), a `map:` an enumeration /
 * picklist holding every value the mapping produces, and so on. Plan messages quote it, so what plan says
 * apply will do is what apply does.
 */
import { CRM_TEXT_LIMITS } from '../mapping/plan-fields.ts';
import type { FieldRequirement } from './mapping-requirements.ts';

export interface HubSpotPropertySpec {
  type: 'string' | 'number' | 'bool' | 'datetime' | 'enumeration';
  fieldType: 'text' | 'textarea' | 'number' | 'booleancheckbox' | 'date' | 'select';
  options?: string[];
  hasUniqueValue?: boolean;
}

export interface SalesforceFieldSpec {
  /** Metadata API CustomField.type */
  type: 'Text' | 'LongTextArea' | 'Number' | 'Checkbox' | 'DateTime' | 'Picklist' | 'Lookup';
  length?: number;
  visibleLines?: number;
  precision?: number;
  scale?: number;
  externalId?: boolean;
  unique?: boolean;
  picklistValues?: string[];
  referenceTo?: string;
}

/** Salesforce Text fields hold at most 255 characters; a Long Text Area up to 131,072. */
export const SALESFORCE_TEXT_MAX = 255;
export const SALESFORCE_LONG_TEXT_DEFAULT = 32_768;

export function hubSpotProperty(need: FieldRequirement): HubSpotPropertySpec {
  if (need.purpose === 'key') return { type: 'string', fieldType: 'text', hasUniqueValue: true };
  switch (need.shape) {
    case 'longText':
      return { type: 'string', fieldType: 'textarea' };
    case 'number':
      return { type: 'number', fieldType: 'number' };
    case 'boolean':
      return { type: 'bool', fieldType: 'booleancheckbox', options: ['true', 'false'] };
    case 'datetime':
      return { type: 'datetime', fieldType: 'date' };
    case 'option':
      return { type: 'enumeration', fieldType: 'select', options: need.values ?? [] };
    default:
      return { type: 'string', fieldType: 'text' };
  }
}

export function salesforceField(need: FieldRequirement): SalesforceFieldSpec {
  if (need.purpose === 'key') return { type: 'Text', length: 80, externalId: true, unique: true };
  if (need.purpose === 'lookup') {
    return { type: 'Lookup', ...(need.referenceTo ? { referenceTo: need.referenceTo } : {}) };
  }
  switch (need.shape) {
    case 'longText': {
      // As long as the mapping lets values be: what plan checks the field against.
      const length = Math.min(need.maxLength ?? CRM_TEXT_LIMITS.salesforce, CRM_TEXT_LIMITS.salesforce);
      return { type: 'LongTextArea', length: Math.max(length, 256), visibleLines: 5 };
    }
    case 'number':
      return { type: 'Number', precision: 18, scale: 2 };
    case 'boolean':
      return { type: 'Checkbox' };
    case 'datetime':
      return { type: 'DateTime' };
    case 'option':
      return { type: 'Picklist', picklistValues: need.values ?? [] };
    default: {
      const wanted = need.maxLength ?? CRM_TEXT_LIMITS.salesforce;
      return wanted > SALESFORCE_TEXT_MAX
        ? { type: 'LongTextArea', length: Math.min(wanted, CRM_TEXT_LIMITS.salesforce), visibleLines: 3 }
        : { type: 'Text', length: wanted };
    }
  }
}

export function describeHubSpotProperty(spec: HubSpotPropertySpec): string {
  const words: Record<HubSpotPropertySpec['fieldType'], string> = {
    text: 'single-line text',
    textarea: 'multi-line text',
    number: 'number',
    booleancheckbox: 'single checkbox',
    date: 'date and time',
    select: 'dropdown select',
  };
  const unique = spec.hasUniqueValue ? ', unique values' : '';
  const options = spec.type === 'enumeration' ? ` with options ${(spec.options ?? []).join(', ')}` : '';
  return `a ${words[spec.fieldType]} property (${spec.type}/${spec.fieldType}${unique})${options}`;
}

export function describeSalesforceField(spec: SalesforceFieldSpec): string {
  switch (spec.type) {
    case 'Text':
      return `a Text(${spec.length ?? SALESFORCE_TEXT_MAX}) field${spec.externalId ? ' marked External ID and Unique' : ''}`;
    case 'LongTextArea':
      return `a Long Text Area(${spec.length ?? SALESFORCE_LONG_TEXT_DEFAULT}) field`;
    case 'Number':
      return `a Number(${(spec.precision ?? 18) - (spec.scale ?? 0)}, ${spec.scale ?? 0}) field`;
    case 'Checkbox':
      return 'a Checkbox field';
    case 'DateTime':
      return 'a Date/Time field';
    case 'Picklist':
      return `a Picklist field with values ${(spec.picklistValues ?? []).join(', ')}`;
    case 'Lookup':
      return `a Lookup(${spec.referenceTo ?? '?'}) field`;
  }
}

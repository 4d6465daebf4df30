/**
 * The plan: a mapping's requirements against the CRM's live schema → findings (pure). Each finding says
 * what would go wrong, where the mapping asks for it and what fixes it; `mapping apply` acts on the ones
 * whose action is create / add_options / grant_access and reports the rest.
 */
import { CRM_TEXT_LIMITS } from '../mapping/plan-fields.ts';
import type { TenantMapping } from '../mapping/mapping-schema.ts';
import {
  type CrmField,
  type CrmObject,
  type CrmSchemaSnapshot,
  fieldOf,
  type FieldKind,
  type ObjectRole,
} from './crm-schema.ts';
import {
  describeHubSpotProperty,
  describeSalesforceField,
  hubSpotProperty,
  salesforceField,
} from './desired-field.ts';
import type { Finding } from './findings.ts';
import { type FieldRequirement, mappingRequirements, type ValueShape } from './mapping-requirements.ts';

type Locate = (
  path: readonly (string | number)[],
) => { file: string; line: number; column: number } | undefined;

/** Which field kinds take which values without a refusal. */
const ACCEPTS: Record<ValueShape, readonly FieldKind[]> = {
  longText: ['text', 'longText'],
  text: ['text', 'longText', 'enumeration', 'multiEnumeration'],
  number: ['number', 'text', 'longText'],
  boolean: ['boolean', 'text', 'longText', 'enumeration'],
  datetime: ['datetime', 'text', 'longText'],
  option: ['enumeration', 'multiEnumeration', 'text', 'longText', 'boolean'],
};

const SHAPE_WORDS: Record<ValueShape, string> = {
  longText: 'long text (a grid section or a multi-line template)',
  text: 'text',
  number: 'a number',
  boolean: 'true/false',
  datetime: 'a date and time',
  option: 'one of a fixed set of values',
};

function labelFor(role: ObjectRole, crm: 'hubspot' | 'salesforce', mapping: TenantMapping): string {
  if (role === 'grid') return mapping.grid.object;
  const names =
    crm === 'hubspot'
      ? { deal: 'deals', company: 'companies', contact: 'contacts' }
      : { deal: 'Opportunity', company: 'Account', contact: 'Contact' };
  return names[role];
}

export interface PlanInput {
  mapping: TenantMapping;
  schema: CrmSchemaSnapshot;
  locate?: Locate;
}

export function compareSchema({ mapping, schema, locate }: PlanInput): Finding[] {
  const crm = schema.crm;
  const findings: Finding[] = [];
  const add = (finding: Omit<Finding, 'location' | 'object'> & { object?: string }) => {
    const location = locate?.(finding.path);
    findings.push({
      object: finding.object ?? labelFor(finding.role, crm, mapping),
      ...finding,
      ...(location === undefined ? {} : { location }),
    });
  };
  const desired = (need: FieldRequirement) =>
    crm === 'hubspot'
      ? describeHubSpotProperty(hubSpotProperty(need))
      : describeSalesforceField(salesforceField(need));

  const grid = schema.objects.grid;
  if (grid === undefined) {
    add({
      code: 'object_missing',
      severity: 'error',
      role: 'grid',
      message: `the ${crm === 'hubspot' ? 'custom object' : 'custom object'} ${mapping.grid.object} does not exist${crm === 'salesforce' ? ' (or the integration user cannot see it)' : ''}`,
      fix:
        crm === 'hubspot'
          ? 'gridsync mapping apply creates it with its properties (custom objects need a HubSpot Enterprise portal)'
          : 'gridsync mapping apply creates it through the Metadata API and grants the integration user access with a permission set',
      action: 'create',
      path: ['grid', 'object'],
    });
  }

  for (const need of mappingRequirements(mapping)) {
    const object = schema.objects[need.role];
    if (object === undefined && need.role !== 'grid') continue;
    const field = fieldOf(object, need.field);
    if (field === undefined) {
      missingField(need, object);
      continue;
    }
    checkField(need, field, object as CrmObject);
  }
  if (crm === 'hubspot') checkAssociations();
  return findings;

  function missingField(need: FieldRequirement, object: CrmObject | undefined): void {
    const where = labelFor(need.role, crm, mapping);
    const what = crm === 'hubspot' ? 'property' : 'field';
    if (need.purpose === 'identity') {
      add({
        code: 'field_missing',
        severity: 'error',
        role: need.role,
        field: need.field,
        message: `${where} has no ${what} ${need.field}: gridsync finds ${need.role === 'company' ? 'companies by domain' : 'contacts by email'} with it`,
        fix: `name an existing ${what} that holds the ${need.role === 'company' ? 'domain' : 'email'} (identity.${need.role}.field), or create and fill it in the CRM`,
        action: 'manual',
        path: need.origin,
      });
      return;
    }
    const invisible =
      crm === 'salesforce' && object !== undefined
        ? ' (or the integration user has no field-level access to it)'
        : '';
    add({
      code: 'field_missing',
      severity: 'error',
      role: need.role,
      field: need.field,
      message:
        need.purpose === 'icp'
          ? `${where} has no ${what} ${need.field}, which the ICP rule reads${invisible}`
          : `${where} has no ${what} ${need.field}${invisible}`,
      fix: `gridsync mapping apply creates it as ${desired(need)}`,
      action: 'create',
      path: need.origin,
    });
  }

  function checkField(need: FieldRequirement, field: CrmField, object: CrmObject): void {
    const where = labelFor(need.role, crm, mapping);
    const base = { role: need.role, field: field.name, path: need.origin };
    if (need.purpose === 'key') {
      const ok = crm === 'hubspot' ? field.unique : field.externalId;
      if (!ok) {
        add({
          ...base,
          code: 'external_id_not_unique',
          severity: 'error',
          message:
            crm === 'hubspot'
              ? `${where}.${field.name} does not have unique values (hasUniqueValue): HubSpot refuses it as idProperty of an upsert`
              : `${where}.${field.name} is not marked External ID: Salesforce refuses it as the key of an upsert`,
          fix:
            crm === 'hubspot'
              ? 'HubSpot cannot make an existing property unique: create a new property with unique values and name it in grid.externalIdField'
              : 'in Setup → Object Manager → the field → Edit, tick External ID and Unique',
          action: 'manual',
        });
      } else if (crm === 'salesforce' && !field.unique) {
        add({
          ...base,
          code: 'external_id_not_unique',
          severity: 'warning',
          message: `${where}.${field.name} is an External ID but not Unique: two records could hold one grid id`,
          fix: 'in Setup, edit the field and tick Unique',
          action: 'manual',
        });
      }
    }
    if (need.purpose === 'lookup') {
      const target = need.referenceTo ?? '';
      if (
        field.kind !== 'reference' ||
        !(field.referenceTo ?? []).some((t) => t.toLowerCase() === target.toLowerCase())
      ) {
        add({
          ...base,
          code: 'lookup_wrong_target',
          severity: 'error',
          message: `${where}.${field.name} is ${field.crmType}, not a lookup to ${target}`,
          fix: `name a Lookup(${target}) field in grid.associate, or create one (a type change is not something gridsync makes)`,
          action: 'manual',
        });
      }
    }
    if (need.purpose === 'identity' && !field.filterable) {
      add({
        ...base,
        code: 'not_filterable',
        severity: 'error',
        message: `${where}.${field.name} is ${field.crmType}, which cannot be searched on`,
        fix: 'match on a Text, Email or URL field instead (a Long Text Area cannot be filtered)',
        action: 'manual',
      });
    }
    if (need.purpose === 'write' || need.purpose === 'lookup' || need.purpose === 'key') {
      checkWritable(need, field, where);
    }
    if (need.purpose === 'write') checkShape(need, field, where, object);
  }

  function checkWritable(need: FieldRequirement, field: CrmField, where: string): void {
    // Grid records are created and updated; deal, company and contact records only updated.
    const needsCreate = need.role === 'grid';
    const writable = field.updateable && (!needsCreate || field.createable);
    if (writable) return;
    const hubspot = crm === 'hubspot';
    add({
      role: need.role,
      field: field.name,
      path: need.origin,
      code: 'not_writable',
      severity: 'error',
      message: hubspot
        ? `${where}.${field.name} is read-only${field.readOnlyReason ? ` (${field.readOnlyReason})` : ''}: HubSpot refuses values for it`
        : `the integration user cannot ${needsCreate && !field.createable ? 'create' : 'update'} ${where}.${field.name}${field.readOnlyReason ? ` (${field.readOnlyReason})` : ''}`,
      fix: hubspot
        ? 'map a property HubSpot lets integrations write (not calculated or HubSpot-defined read-only)'
        : field.readOnlyReason
          ? 'map a field that is not set by Salesforce (formula, auto-number and system fields are read-only)'
          : 'gridsync mapping apply grants edit access through the gridsync permission set',
      action: !hubspot && !field.readOnlyReason ? 'grant_access' : 'manual',
    });
  }

  function checkShape(need: FieldRequirement, field: CrmField, where: string, object: CrmObject): void {
    void object;
    const base = { role: need.role, field: field.name, path: need.origin };
    const values = need.values ?? [];
    let accepted = ACCEPTS[need.shape].includes(field.kind);
    if (accepted && need.shape === 'option' && field.kind === 'boolean') {
      accepted = values.every((v) => v === 'true' || v === 'false');
    }
    if (!accepted && need.shape === 'option' && field.kind === 'number') {
      accepted = values.every((v) => v.trim() !== '' && Number.isFinite(Number(v)));
    }
    if (!accepted) {
      add({
        ...base,
        code: 'type_mismatch',
        severity: 'error',
        message: `${where}.${field.name} is ${field.crmType}, but the mapping writes ${SHAPE_WORDS[need.shape]} to it`,
        fix: `change the mapping to a value the field takes, or change the field to ${desired(need)} in the CRM (gridsync never changes a field's type)`,
        action: 'manual',
      });
      return;
    }
    if (field.kind === 'enumeration' || field.kind === 'multiEnumeration') {
      const options = new Set(field.options ?? []);
      const known = values.length > 0 || need.shape === 'boolean';
      const produced = need.shape === 'boolean' && values.length === 0 ? ['true', 'false'] : values;
      const missing = produced.filter((v) => v !== '' && !options.has(v));
      if (known && missing.length > 0) {
        const strict = crm === 'hubspot' || field.restrictedOptions !== false;
        add({
          ...base,
          code: 'option_missing',
          severity: strict ? 'error' : 'warning',
          message: `${where}.${field.name} has no option${missing.length > 1 ? 's' : ''} ${missing.map((m) => JSON.stringify(m)).join(', ')}, which the mapping writes${strict ? '' : ' (the picklist is not restricted, so the value is stored but is not in its list)'}`,
          fix: `gridsync mapping apply adds ${missing.length > 1 ? 'them' : 'it'} to the ${crm === 'hubspot' ? 'property' : 'picklist'} (existing options are kept)`,
          action: 'add_options',
          missingOptions: missing,
        });
      } else if (!known && need.shape !== 'option') {
        add({
          ...base,
          code: 'type_mismatch',
          severity: 'warning',
          message: `${where}.${field.name} is ${field.crmType}: any value outside its options will be refused`,
          fix: 'add a map: from gridsync values to its options',
          action: 'manual',
        });
      }
    }
    if (field.maxLength !== undefined && (field.kind === 'text' || field.kind === 'longText')) {
      const limit = CRM_TEXT_LIMITS[crm];
      const needed =
        need.shape === 'option'
          ? Math.max(0, ...values.map((v) => v.length))
          : need.shape === 'text' || need.shape === 'longText'
            ? (need.maxLength ?? limit)
            : 40;
      if (field.maxLength < needed) {
        const setMax = need.shape === 'text' || need.shape === 'longText';
        add({
          ...base,
          code: 'too_short',
          severity: 'error',
          message: `${where}.${field.name} holds ${field.maxLength.toLocaleString('en-US')} characters, but the mapping lets ${needed.toLocaleString('en-US')} through: longer values are refused`,
          fix: setMax
            ? `set maxLength: ${field.maxLength} with onTooLong: truncate on this field, or widen the field${need.shape === 'longText' && crm === 'salesforce' ? ' (a grid section belongs in a Long Text Area)' : ''}`
            : 'widen the field in the CRM',
          action: 'manual',
        });
      }
    }
    if (crm === 'hubspot' && need.shape === 'longText' && field.crmType === 'string/text') {
      add({
        ...base,
        code: 'single_line_text',
        severity: 'warning',
        message: `${where}.${field.name} is single-line text: HubSpot shows a grid section on one line`,
        fix: 'change its field type to multi-line text (textarea) in HubSpot; the values stay',
        action: 'manual',
      });
    }
  }

  function checkAssociations(): void {
    const object = schema.objects.grid;
    if (object === undefined) return;
    const targets = { deal: 'deals', company: 'companies', contact: 'contacts' } as const;
    for (const role of ['deal', 'company', 'contact'] as const) {
      const wanted = mapping.grid.associate[role];
      if (wanted === undefined) continue;
      const types = (object.associations ?? []).filter((a) => a.toObject === targets[role]);
      const typeId = wanted.associationTypeId;
      const found = typeId === undefined ? types.length > 0 : types.some((t) => t.typeId === typeId);
      if (found) continue;
      add({
        code: 'association_missing',
        severity: 'error',
        role: 'grid',
        message:
          typeId === undefined
            ? `${mapping.grid.object} has no association with ${targets[role]}: grids cannot be linked to their ${role}`
            : `${mapping.grid.object} has no association label with type id ${typeId} to ${targets[role]}`,
        fix:
          typeId === undefined
            ? `gridsync mapping apply creates the ${mapping.grid.object} ↔ ${targets[role]} association`
            : `create the label in HubSpot (Settings → Objects → Associations) and name its type id, or drop associationTypeId to use the default association`,
        action: typeId === undefined ? 'create' : 'manual',
        path: ['grid', 'associate', role],
      });
    }
  }
}

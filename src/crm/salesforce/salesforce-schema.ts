/**
 * Reads a Salesforce org's schema for `mapping plan`: `GET /sobjects/{Object}/describe` for the grid object,
 * Opportunity, Account and Contact, as the integration user sees them (describe leaves out fields the user
 * has no field-level access to, and says createable/updateable per field). Four requests per plan.
 */
import { Connection } from 'jsforce';

import type { SecretLookup } from '../../config/secrets.ts';
import type { Logger } from '../../lib/logger.ts';
import type { TenantMapping } from '../../mapping/mapping-schema.ts';
import type { CrmField, CrmObject, CrmSchemaSnapshot, FieldKind } from '../../schema-plan/crm-schema.ts';
import { CrmError } from '../crm-errors.ts';
import { SalesforceSession, type SalesforceSettings } from './salesforce-auth.ts';
import { salesforceBudget } from './salesforce-client.ts';
import { salesforceCredentials } from './salesforce-credentials.ts';
import { SalesforceHttp } from './salesforce-http.ts';
import { DEFAULT_API_VERSION, DEFAULT_LOGIN_URL, DEFAULT_RETRY_POLICY } from './salesforce-limits.ts';
import { soqlName } from './salesforce-soql.ts';

/** The members of describe's Field that the plan reads. */
export interface DescribeField {
  name: string;
  type: string;
  length?: number;
  createable?: boolean;
  updateable?: boolean;
  calculated?: boolean;
  autoNumber?: boolean;
  externalId?: boolean;
  unique?: boolean;
  filterable?: boolean;
  restrictedPicklist?: boolean;
  picklistValues?: { value: string; active?: boolean }[];
  referenceTo?: string[];
}

export interface SalesforceSchemaAccess {
  conn: Connection;
  session: SalesforceSession;
  http: SalesforceHttp;
}

/** A session and request pipeline for schema reads and Metadata API writes (jsforce's conn.metadata). */
export function salesforceSchemaAccess(
  mapping: TenantMapping,
  secrets: SecretLookup,
  logger: Logger,
  signal?: AbortSignal,
): { ok: true; access: SalesforceSchemaAccess } | { ok: false; reason: string } {
  const crm = mapping.crm as SalesforceSettings;
  const resolved = salesforceCredentials(crm, secrets);
  if (!resolved.ok) return resolved;
  const conn = new Connection({ version: crm.apiVersion || DEFAULT_API_VERSION });
  const session = new SalesforceSession(conn, {
    credentials: resolved.credentials,
    loginUrl: crm.baseUrl ?? DEFAULT_LOGIN_URL,
    logger,
    tokenTimeoutMs: DEFAULT_RETRY_POLICY.attemptTimeoutMs,
  });
  const http = new SalesforceHttp(conn, session, {
    policy: DEFAULT_RETRY_POLICY,
    logger,
    budget: salesforceBudget(mapping.tenant, logger),
    ...(signal === undefined ? {} : { signal }),
  });
  return { ok: true, access: { conn, session, http } };
}

function kindOf(field: DescribeField): FieldKind {
  switch (field.type) {
    case 'string':
    case 'email':
    case 'url':
    case 'phone':
    case 'encryptedstring':
    case 'combobox':
      return 'text';
    case 'textarea':
      return (field.length ?? 0) > 255 ? 'longText' : 'text';
    case 'picklist':
      return 'enumeration';
    case 'multipicklist':
      return 'multiEnumeration';
    case 'boolean':
      return 'boolean';
    case 'double':
    case 'int':
    case 'long':
    case 'currency':
    case 'percent':
      return 'number';
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime';
    case 'reference':
      return 'reference';
    case 'id':
      return 'id';
    default:
      return 'other';
  }
}

export function toCrmField(field: DescribeField): CrmField {
  const kind = kindOf(field);
  const readOnlyReason = field.calculated
    ? 'a formula field'
    : field.autoNumber
      ? 'an auto-number field'
      : field.createable === false && field.updateable === false && !field.name.endsWith('__c')
        ? 'set by Salesforce'
        : undefined;
  const text =
    kind === 'text' || kind === 'longText' || kind === 'enumeration' || kind === 'multiEnumeration';
  return {
    name: field.name,
    kind,
    crmType: text && field.length ? `${field.type}(${field.length})` : field.type,
    ...(text && field.length ? { maxLength: field.length } : {}),
    ...(kind === 'enumeration' || kind === 'multiEnumeration'
      ? {
          options: (field.picklistValues ?? []).filter((v) => v.active !== false).map((v) => v.value),
          restrictedOptions: field.restrictedPicklist !== false,
        }
      : {}),
    unique: field.unique === true,
    externalId: field.externalId === true,
    createable: field.createable === true,
    updateable: field.updateable === true,
    ...(readOnlyReason === undefined ? {} : { readOnlyReason }),
    ...(field.referenceTo && field.referenceTo.length > 0 ? { referenceTo: field.referenceTo } : {}),
    filterable: field.filterable !== false,
  };
}

/** `describe` of one object; undefined when the org lacks it or the integration user cannot see it. */
export async function describeObject(http: SalesforceHttp, object: string): Promise<CrmObject | undefined> {
  try {
    const answer = await http.send<{ fields?: DescribeField[] }>({
      method: 'GET',
      path: `/sobjects/${soqlName(object)}/describe`,
      context: `describe ${object}`,
    });
    const fields = answer.fields ?? [];
    return { name: object, fields: new Map(fields.map((f) => [f.name.toLowerCase(), toCrmField(f)])) };
  } catch (error) {
    if (error instanceof CrmError && error.kind === 'not_found') return undefined;
    throw error;
  }
}

export async function readSalesforceSchema(
  http: SalesforceHttp,
  mapping: TenantMapping,
): Promise<CrmSchemaSnapshot> {
  return {
    crm: 'salesforce',
    objects: {
      grid: await describeObject(http, mapping.grid.object),
      deal: await describeObject(http, 'Opportunity'),
      company: await describeObject(http, 'Account'),
      contact: await describeObject(http, 'Contact'),
    },
    readAt: new Date().toISOString(),
  };
}

/**
 * Ideal-customer-profile criteria (the template's: company size, industry, tech stack, funding stage, geo). Each
 * criterion names where its value comes from, in order; the first source that has a value wins:
 *   { crmField }        a company/account field the worker read from the CRM (it reads them once and caches)
 *   { signalAttribute } the newest value of that attribute on the account's signals
 * An empty string counts as no value. A criterion without a value does not hold, and says where it looked.
 *
 * Conditions (all that are configured must hold):
 *   min / max  the value read as a number or a band (see parse-icp-number.ts). A band must lie entirely
 *              inside the limits: "51-200" does not certainly meet min 100, so it does not hold. PQA is the
 *              trigger for a seller's time, so a criterion counts only when the value surely meets it.
 *   in         the value equals one of the list, case- and surrounding-space-insensitive.
 *   anyOf      the value is a list split on ";" or "," (HubSpot multi-checkboxes, Salesforce multi-picklists);
 *              holds when one item equals one of the configured values, case-insensitive.
 */
import type { CriterionResult } from '../domain/account-state.ts';
import { ICP_CRITERIA, type QualificationRule } from '../mapping/mapping-schema.ts';
import type { AccountAggregate, SignalAttributeValue } from './aggregate-account.ts';
import { formatNumber } from './format-number.ts';
import { parseIcpNumber } from './parse-icp-number.ts';

export type IcpCriterionName = (typeof ICP_CRITERIA)[number];
export type IcpCriterion = NonNullable<QualificationRule['icp']['criteria'][IcpCriterionName]>;
/** CRM company/account fields by API name, as strings (FoundRecord.fields). */
export type CrmCompanyFields = Readonly<Record<string, string | undefined>>;

export const ICP_LABELS: Readonly<Record<IcpCriterionName, string>> = {
  companySize: 'Company size',
  industry: 'Industry',
  techStack: 'Tech stack',
  fundingStage: 'Funding stage',
  geo: 'Geo',
};

export interface IcpValue {
  value: SignalAttributeValue;
  /** 'crm:<field>' or 'signal:<attribute>'. */
  source: string;
}

/** The CRM fields the worker must read on the account's company so every ICP criterion can be judged. */
export function icpCrmFields(rule: QualificationRule): string[] {
  const fields = new Set<string>();
  for (const name of ICP_CRITERIA) {
    for (const source of rule.icp.criteria[name]?.from ?? []) {
      if ('crmField' in source) fields.add(source.crmField);
    }
  }
  return [...fields];
}

export function resolveIcpValue(
  criterion: IcpCriterion,
  crmFields: CrmCompanyFields,
  aggregate: Pick<AccountAggregate, 'latestAttributes'>,
): IcpValue | undefined {
  for (const source of criterion.from) {
    if ('crmField' in source) {
      const value = readCrmField(crmFields, source.crmField);
      if (value !== undefined && value.trim() !== '') return { value, source: `crm:${source.crmField}` };
    } else {
      const latest = aggregate.latestAttributes[source.signalAttribute];
      if (latest !== undefined && String(latest.value).trim() !== '') {
        return { value: latest.value, source: `signal:${source.signalAttribute}` };
      }
    }
  }
  return undefined;
}

export function evaluateIcpCriterion(
  name: IcpCriterionName,
  criterion: IcpCriterion,
  crmFields: CrmCompanyFields,
  aggregate: Pick<AccountAggregate, 'latestAttributes'>,
): CriterionResult {
  const label = ICP_LABELS[name];
  const threshold = thresholdOf(criterion);
  const found = resolveIcpValue(criterion, crmFields, aggregate);
  if (found === undefined) {
    const places = criterion.from.map((s) =>
      'crmField' in s ? `CRM field ${s.crmField}` : `signal attribute ${s.signalAttribute}`,
    );
    return {
      criterion: name,
      kind: 'icp',
      held: false,
      evidence: { value: null, threshold, source: 'none' },
      reason: `No ${label.toLowerCase()} found: looked in ${places.join(', then ')}`,
    };
  }

  const checks = [
    numberCheck(label, criterion, found.value),
    inCheck(label, criterion, found.value),
    anyOfCheck(label, criterion, found.value),
  ].filter((c): c is Check => c !== undefined);
  const failed = checks.filter((c) => !c.held);
  return {
    criterion: name,
    kind: 'icp',
    held: failed.length === 0,
    evidence: { value: found.value, threshold, source: found.source },
    reason: (failed.length > 0 ? failed : checks).map((c) => c.reason).join('; '),
  };
}

interface Check {
  held: boolean;
  reason: string;
}

function numberCheck(label: string, c: IcpCriterion, value: SignalAttributeValue): Check | undefined {
  if (c.min === undefined && c.max === undefined) return undefined;
  const shown = show(label, value);
  const band = parseIcpNumber(value);
  if (band === undefined) return { held: false, reason: `${shown} is not a number gridsync can read` };
  const isBand = band.low !== band.high;
  if (c.min !== undefined && band.low < c.min) {
    return {
      held: false,
      reason: isBand
        ? `${shown} may be below ${formatNumber(c.min)}: the range starts at ${formatNumber(band.low)}`
        : `${shown} is below the minimum of ${formatNumber(c.min)}`,
    };
  }
  if (c.max !== undefined && band.high > c.max) {
    return {
      held: false,
      reason: isBand
        ? `${shown} may be above ${formatNumber(c.max)}: ${band.high === Infinity ? 'the range has no upper end' : `the range ends at ${formatNumber(band.high)}`}`
        : `${shown} is above the maximum of ${formatNumber(c.max)}`,
    };
  }
  const limits =
    c.min !== undefined && c.max !== undefined
      ? `between ${formatNumber(c.min)} and ${formatNumber(c.max)}`
      : c.min !== undefined
        ? `at least ${formatNumber(c.min)}`
        : `at most ${formatNumber(c.max ?? 0)}`;
  return { held: true, reason: `${shown} is ${limits}` };
}

function inCheck(label: string, c: IcpCriterion, value: SignalAttributeValue): Check | undefined {
  if (c.in === undefined) return undefined;
  const wanted = normalise(String(value));
  const held = c.in.some((option) => normalise(option) === wanted);
  return { held, reason: `${show(label, value)} is ${held ? '' : 'not '}one of ${c.in.join(', ')}` };
}

function anyOfCheck(label: string, c: IcpCriterion, value: SignalAttributeValue): Check | undefined {
  if (c.anyOf === undefined) return undefined;
  const items = new Set(
    String(value)
      .split(/[;,]/)
      .map(normalise)
      .filter((i) => i !== ''),
  );
  const matches = c.anyOf.filter((option) => items.has(normalise(option)));
  return matches.length > 0
    ? { held: true, reason: `${show(label, value)} includes ${matches.join(', ')}` }
    : { held: false, reason: `${show(label, value)} includes none of ${c.anyOf.join(', ')}` };
}

function thresholdOf(c: IcpCriterion): Record<string, unknown> {
  const threshold: Record<string, unknown> = {};
  if (c.min !== undefined) threshold['min'] = c.min;
  if (c.max !== undefined) threshold['max'] = c.max;
  if (c.in !== undefined) threshold['in'] = c.in;
  if (c.anyOf !== undefined) threshold['anyOf'] = c.anyOf;
  return threshold;
}

/** Exact API name first; then case-insensitive, because RevOps may write NumberOfEmployees as numberofemployees. */
function readCrmField(fields: CrmCompanyFields, name: string): string | undefined {
  if (fields[name] !== undefined) return fields[name];
  const lower = name.toLowerCase();
  const key = Object.keys(fields).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : fields[key];
}

function show(label: string, value: SignalAttributeValue): string {
  return typeof value === 'number' ? `${label} ${formatNumber(value)}` : `${label} '${String(value)}'`;
}

function normalise(text: string): string {
  return text.trim().toLowerCase();
}

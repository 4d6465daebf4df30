/**
 * The Product-Qualified Account rule, exactly as the template (docs/architecture.md, "Background"): an account qualifies for sales outreach
 * when every configured usage criterion holds AND at least `icp.required` of the configured ICP criteria hold.
 * The verdict keeps every criterion with its evidence (value, threshold, where the value came from) and the
 * rule's version, and says the outcome in one sentence an AE understands. Pure.
 */
import { ICP_CRITERIA, type QualificationRule } from '../mapping/mapping-schema.ts';
import type { CriterionResult, QualificationVerdict } from '../domain/account-state.ts';
import type { AccountAggregate } from './aggregate-account.ts';
import { formatNumber, plural } from './format-number.ts';
import { type CrmCompanyFields, evaluateIcpCriterion } from './icp-values.ts';
import { judgeUsage } from './usage-criteria.ts';

export interface QualificationInput {
  rule: QualificationRule;
  aggregate: AccountAggregate;
  /** The company's CRM fields named by ICP `crmField` sources; {} when the company is not in the CRM. */
  crmCompanyFields: CrmCompanyFields;
  now: Date;
}

export function decideQualification(input: QualificationInput): QualificationVerdict {
  const { rule, aggregate, crmCompanyFields } = input;
  const usage = judgeUsage(rule, aggregate);
  const icp: CriterionResult[] = [];
  for (const name of ICP_CRITERIA) {
    const criterion = rule.icp.criteria[name];
    if (criterion !== undefined) icp.push(evaluateIcpCriterion(name, criterion, crmCompanyFields, aggregate));
  }

  const usageHeld = usage.filter((u) => u.result.held).length;
  const icpHeld = icp.filter((c) => c.held).length;
  const usageOk = usageHeld === usage.length;
  const icpOk = icpHeld >= rule.icp.required;
  const qualified = usageOk && icpOk;

  let summary: string;
  if (qualified) {
    const usagePart =
      usage.length === 1 ? 'the usage criterion' : `all ${formatNumber(usage.length)} usage criteria`;
    summary = `Qualified: ${usagePart} and ${formatNumber(icpHeld)} of ${plural(icp.length, 'ICP criterion', 'ICP criteria')} hold`;
  } else {
    const shortfalls = usage.filter((u) => !u.result.held).map((u) => u.shortfall);
    if (!icpOk) {
      shortfalls.push(
        `${plural(icpHeld, 'ICP criterion', 'ICP criteria')} ${icpHeld === 1 ? 'holds' : 'hold'} (${formatNumber(rule.icp.required)} needed)`,
      );
    }
    summary = `Not qualified: ${shortfalls.join('; ')}`;
  }

  return {
    qualified,
    ruleVersion: rule.ruleVersion,
    usageHeld,
    usageTotal: usage.length,
    icpHeld,
    icpRequired: rule.icp.required,
    criteria: [...usage.map((u) => u.result), ...icp],
    summary,
    evaluatedAt: input.now.toISOString(),
  };
}

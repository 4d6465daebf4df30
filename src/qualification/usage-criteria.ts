/**
 * The usage half of the Product-Qualified Account template (every usage criterion is required; docs/architecture.md, "Background"): active for long
 * enough, enough users, core features adopted, usage above a threshold. Only the criteria the mapping
 * configures are judged, always in this order, so verdicts compare line by line.
 */
import type { QualificationRule } from '../mapping/mapping-schema.ts';
import type { CriterionResult } from '../domain/account-state.ts';
import type { AccountAggregate } from './aggregate-account.ts';
import { formatNumber, plural } from './format-number.ts';

export interface UsageJudgement {
  result: CriterionResult;
  /** The failure in a few words for the one-sentence summary, e.g. "2 active users (3 needed)". */
  shortfall: string;
}

export function judgeUsage(rule: QualificationRule, aggregate: AccountAggregate): UsageJudgement[] {
  const usage = rule.usage;
  const window = `in the last ${plural(rule.windowDays, 'day')}`;
  const judgements: UsageJudgement[] = [];

  if (usage.activeDays) {
    const { min } = usage.activeDays;
    const n = aggregate.activeDays;
    judgements.push(
      judge(
        'activeDays',
        n >= min,
        n,
        { min },
        `${plural(n, 'active day')} ${window}; at least ${formatNumber(min)} needed`,
        `${plural(n, 'active day')} (${formatNumber(min)} needed)`,
      ),
    );
  }
  if (usage.activeSpanDays) {
    const { min } = usage.activeSpanDays;
    const n = aggregate.activeSpanDays;
    judgements.push(
      judge(
        'activeSpanDays',
        n >= min,
        n,
        { min },
        `Active over ${plural(n, 'day')} from first to last product signal; at least ${formatNumber(min)} needed`,
        `active over ${plural(n, 'day')} (${formatNumber(min)} needed)`,
      ),
    );
  }
  if (usage.activeUsers) {
    const { min } = usage.activeUsers;
    const n = aggregate.activeUsers;
    judgements.push(
      judge(
        'activeUsers',
        n >= min,
        n,
        { min },
        `${plural(n, 'active user')}; at least ${formatNumber(min)} needed`,
        `${plural(n, 'active user')} (${formatNumber(min)} needed)`,
      ),
    );
  }
  if (usage.coreFeatures) {
    const { min, features } = usage.coreFeatures;
    const adopted = aggregate.coreFeaturesAdopted;
    const used =
      adopted.length === 0
        ? 'no core feature used'
        : `${plural(adopted.length, 'core feature')} used (${adopted.join(', ')})`;
    judgements.push(
      judge(
        'coreFeatures',
        adopted.length >= min,
        adopted,
        { min, features },
        `${capitalise(used)}; at least ${formatNumber(min)} of ${features.join(', ')} needed`,
        `${plural(adopted.length, 'core feature')} used (${formatNumber(min)} needed)`,
      ),
    );
  }
  if (usage.usageThreshold) {
    const { min, signal } = usage.usageThreshold;
    const total = aggregate.usage?.total ?? 0;
    judgements.push(
      judge(
        'usageThreshold',
        total >= min,
        total,
        { signal, min },
        `Usage ${formatNumber(total)} (${signal}) ${window}; at least ${formatNumber(min)} needed`,
        `usage ${formatNumber(total)} (${formatNumber(min)} needed)`,
      ),
    );
  }
  return judgements;
}

function judge(
  criterion: string,
  held: boolean,
  value: unknown,
  threshold: unknown,
  reason: string,
  shortfall: string,
): UsageJudgement {
  return {
    result: { criterion, kind: 'usage', held, evidence: { value, threshold, source: 'signals' }, reason },
    shortfall,
  };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Everything gridsync concludes about one account from its signals and its CRM company fields: intent score
 * and level, the aggregate the PQA rule reads, and the verdict. Produces the AccountState document the worker
 * stores and the mapping reads (account.* source paths). Pure: the worker fetches signals and CRM fields.
 */
import type { Signal } from '../domain/signal.ts';
import type { TenantMapping } from '../mapping/mapping-schema.ts';
import type { AccountState } from '../domain/account-state.ts';
import { type AccountAggregate, aggregateAccount } from './aggregate-account.ts';
import type { CrmCompanyFields } from './icp-values.ts';
import { nextChangeAt } from './next-change.ts';
import { decideQualification } from './product-qualified-account.ts';
import { type SignalContribution, scoreSignals } from './score-signals.ts';

const DAY_MS = 86_400_000;

/** Contributions kept in the stored state as evidence: the strongest few, not one per signal. */
export const STRONGEST_CONTRIBUTIONS_KEPT = 10;

export interface EvaluateAccountInput {
  domain: string;
  /** The account's signals since signalLookbackStart(); others (another domain, a repeated id) are dropped. */
  signals: readonly Signal[];
  mapping: Pick<TenantMapping, 'scoring' | 'qualification'>;
  /** Company fields named by the ICP criteria (icpCrmFields), as the CRM returned them; {} if no company. */
  crmCompanyFields: CrmCompanyFields;
  now: Date;
}

/** AccountState.aggregate as this module fills it. */
export interface AccountEvidence extends AccountAggregate {
  intent: {
    scoreWindowDays: number;
    clusterFound: boolean;
    /** Signals that added to the score. */
    scoredSignals: number;
    /** The strongest contributions, largest first. */
    strongest: SignalContribution[];
  };
}

export type EvaluatedAccount = AccountState & { aggregate: AccountEvidence };

export function evaluateAccount(input: EvaluateAccountInput): EvaluatedAccount {
  const { scoring, qualification } = input.mapping;
  const signals = ownSignals(input.domain, input.signals);
  const intent = scoreSignals(signals, scoring, input.now);
  const aggregate = aggregateAccount(signals, { rule: qualification, scoring, now: input.now });
  const verdict = decideQualification({
    rule: qualification,
    aggregate,
    crmCompanyFields: input.crmCompanyFields,
    now: input.now,
  });
  const strongest = [...intent.contributions]
    .sort((a, b) => b.points - a.points || (a.signalId < b.signalId ? -1 : 1))
    .slice(0, STRONGEST_CONTRIBUTIONS_KEPT);

  return {
    domain: input.domain,
    score: intent.score,
    level: intent.level,
    // Signals in the qualification window: the figure the PQA rule and the status talk about.
    signalCount: aggregate.signalCount,
    lastSignalAt: aggregate.lastSignalAt,
    aggregate: {
      ...aggregate,
      intent: {
        scoreWindowDays: scoring.windowDays,
        clusterFound: intent.clusterFound,
        scoredSignals: intent.contributions.length,
        strongest,
      },
    },
    verdict,
    nextChangeAt: nextChangeAt(signals, intent.score, input.mapping, input.now)?.toISOString() ?? null,
    updatedAt: input.now.toISOString(),
  };
}

/** How far back the worker must read an account's signals: the longer of the scoring and qualification windows. */
export function signalLookbackStart(
  mapping: Pick<TenantMapping, 'scoring' | 'qualification'>,
  now: Date,
): Date {
  const days = Math.max(mapping.scoring.windowDays, mapping.qualification.windowDays);
  return new Date(now.getTime() - days * DAY_MS);
}

function ownSignals(domain: string, signals: readonly Signal[]): Signal[] {
  const wanted = domain.trim().toLowerCase();
  const seen = new Set<string>();
  return signals.filter((signal) => {
    if (signal.account.domain !== wanted || seen.has(signal.id)) return false;
    seen.add(signal.id);
    return true;
  });
}

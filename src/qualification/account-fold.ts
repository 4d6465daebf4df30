/**
 * The one pass evaluate-account.ts makes over an account's signals, oldest first (ties by id): the aggregate,
 * the score and the next change are each a fold (aggregate-account.ts, score-signals.ts, next-change.ts), and of
 * the score's contributions only the strongest few are kept as evidence. Nothing here grows with the number of
 * signals; the cluster rule's second cursor is driven by the caller (wantsLead / giveLead, cluster-tracker.ts).
 */
import type { Signal } from '../domain/signal.ts';
import type { TenantMapping } from '../mapping/mapping-schema.ts';
import type { AccountState } from '../domain/account-state.ts';
import { type AccountAggregate, AggregateFold } from './aggregate-account.ts';
import type { CrmCompanyFields } from './icp-values.ts';
import { NextChangeFold } from './next-change.ts';
import { decideQualification } from './product-qualified-account.ts';
import {
  IntentFold,
  type ScoredCandidate,
  type SignalContribution,
  scoringCandidate,
  scoringWindowStart,
} from './score-signals.ts';

/** Contributions kept in the stored state as evidence: the strongest few, not one per signal. */
export const STRONGEST_CONTRIBUTIONS_KEPT = 10;

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

type EvaluationMapping = Pick<TenantMapping, 'scoring' | 'qualification'>;

export class AccountFold {
  readonly #mapping: EvaluationMapping;
  readonly #now: Date;
  readonly #scoringStart: number;
  readonly #aggregate: AggregateFold;
  readonly #intent: IntentFold;
  readonly #nextChange: NextChangeFold;
  /** The strongest contributions so far, in the order they are shown. */
  readonly #strongest: SignalContribution[] = [];
  /** The candidate of the signal being added, as wantsLead found it. */
  #candidate: ScoredCandidate | undefined;

  constructor(mapping: EvaluationMapping, now: Date) {
    this.#mapping = mapping;
    this.#now = now;
    this.#scoringStart = scoringWindowStart(mapping.scoring, now);
    this.#aggregate = new AggregateFold({ rule: mapping.qualification, scoring: mapping.scoring, now });
    this.#intent = new IntentFold(mapping.scoring, now, (c) => this.#keepIfStrong(c));
    this.#nextChange = new NextChangeFold(mapping, now);
  }

  /** Whether the signal counts towards the score (the cluster lead reads only those). */
  isScored(signal: Signal, time: number): boolean {
    return typeof scoringCandidate(signal, time, this.#mapping.scoring, this.#scoringStart) !== 'string';
  }

  /** Before add(signal): whether the cluster rule needs the lead's next scored time first. */
  wantsLead(signal: Signal, time: number): boolean {
    const candidate = scoringCandidate(signal, time, this.#mapping.scoring, this.#scoringStart);
    this.#candidate = typeof candidate === 'string' ? undefined : candidate;
    return this.#candidate !== undefined && this.#intent.clusters.wantsLead(time);
  }

  giveLead(time: number | undefined): void {
    this.#intent.clusters.giveLead(time);
  }

  /** Signals oldest first, ties by id; wantsLead(signal) was asked until it said no. */
  add(signal: Signal, time: number): void {
    if (this.#candidate?.signal === signal) this.#intent.add(this.#candidate);
    this.#candidate = undefined;
    this.#aggregate.add(signal, time);
    this.#nextChange.add(time);
  }

  result(domain: string, activeUsers: number, crmCompanyFields: CrmCompanyFields): EvaluatedAccount {
    const { scoring, qualification } = this.#mapping;
    const aggregate = this.#aggregate.result(activeUsers);
    const intent = this.#intent.result();
    const verdict = decideQualification({
      rule: qualification,
      aggregate,
      crmCompanyFields,
      now: this.#now,
    });
    return {
      domain,
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
          scoredSignals: intent.scored,
          strongest: [...this.#strongest],
        },
      },
      verdict,
      nextChangeAt: this.#nextChange.result(intent.score)?.toISOString() ?? null,
      updatedAt: this.#now.toISOString(),
    };
  }

  /** Largest points first, ties by signal id; kept to STRONGEST_CONTRIBUTIONS_KEPT. */
  #keepIfStrong(contribution: SignalContribution): void {
    const kept = this.#strongest;
    const at = kept.findIndex((k) => strongerFirst(contribution, k) < 0);
    if (at === -1) {
      if (kept.length < STRONGEST_CONTRIBUTIONS_KEPT) kept.push(contribution);
      return;
    }
    kept.splice(at, 0, contribution);
    if (kept.length > STRONGEST_CONTRIBUTIONS_KEPT) kept.pop();
  }
}

function strongerFirst(a: SignalContribution, b: SignalContribution): number {
  return b.points - a.points || (a.signalId < b.signalId ? -1 : 1);
}

/**
 * Everything gridsync concludes about one account from its signals and its CRM company fields: intent score
 * and level, the aggregate the PQA rule reads, and the verdict. Produces the AccountState document the worker
 * stores and the mapping reads (account.* source paths). Pure: the worker fetches signals and CRM fields.
 *
 * One fold reads the signals once, oldest first, and keeps only what the state shows (account-fold.ts), so
 * an account with a million signals costs the memory of one page of them (evaluateAccountSignals); a list in
 * memory goes through the same fold (evaluateAccount).
 */
import type { Signal } from '../domain/signal.ts';
import type { TenantMapping } from '../mapping/mapping-schema.ts';
import { AccountFold, type EvaluatedAccount } from './account-fold.ts';
import { compareIds, countActiveUsers, qualificationWindowStart, sortedByTime } from './aggregate-account.ts';
import type { CrmCompanyFields } from './icp-values.ts';

export type { AccountEvidence, EvaluatedAccount } from './account-fold.ts';
export { STRONGEST_CONTRIBUTIONS_KEPT } from './account-fold.ts';

const DAY_MS = 86_400_000;

interface EvaluationInputBase {
  domain: string;
  mapping: Pick<TenantMapping, 'scoring' | 'qualification'>;
  /** Company fields named by the ICP criteria (icpCrmFields), as the CRM returned them; {} if no company. */
  crmCompanyFields: CrmCompanyFields;
  now: Date;
}

export interface EvaluateAccountInput extends EvaluationInputBase {
  /** The account's signals since signalLookbackStart(); others (another domain, a repeated id) are dropped. */
  signals: readonly Signal[];
}

/**
 * Opens a pass over the account's signals since signalLookbackStart(), in pages, in ascending time (the order
 * within one millisecond does not matter: the fold sorts those by id). Called twice: the cluster rule reads
 * ahead with a second pass (cluster-tracker.ts).
 */
export type OpenSignalPages = () => AsyncIterable<readonly Signal[]>;

export interface EvaluateAccountSignalsInput extends EvaluationInputBase {
  /** The account's stored signals: one id each (the store's key), all of this domain. */
  pages: OpenSignalPages;
  /** Distinct contact emails on product signals in the qualification window (the store counts them). */
  activeUsers: number;
}

export function evaluateAccount(input: EvaluateAccountInput): EvaluatedAccount {
  const timed = sortedByTime(ownSignals(input.domain, input.signals));
  const fold = new AccountFold(input.mapping, input.now);
  let lead = 0;
  const nextLeadTime = (): number | undefined => {
    while (lead < timed.length) {
      const next = timed[lead++];
      if (next && fold.isScored(next.signal, next.time)) return next.time;
    }
    return undefined;
  };
  for (const { signal, time } of timed) {
    while (fold.wantsLead(signal, time)) fold.giveLead(nextLeadTime());
    fold.add(signal, time);
  }
  const windowStart = qualificationWindowStart(input.mapping.qualification, input.now);
  return fold.result(input.domain, countActiveUsers(timed, windowStart), input.crmCompanyFields);
}

/** evaluateAccount over stored signals, page by page: memory follows the page, not the account's signals. */
export async function evaluateAccountSignals(input: EvaluateAccountSignalsInput): Promise<EvaluatedAccount> {
  const fold = new AccountFold(input.mapping, input.now);
  const wanted = normalisedDomain(input.domain);
  const lead = new LeadTimes(input.pages()[Symbol.asyncIterator](), (page) =>
    ownTimed(page, wanted).flatMap(({ signal, time }) => (fold.isScored(signal, time) ? [time] : [])),
  );
  try {
    for await (const chunk of inTimeOrder(input.pages(), wanted)) {
      for (const { signal, time } of chunk) {
        while (fold.wantsLead(signal, time)) {
          // Awaits only when the lead has used up its page: the loop itself is synchronous.
          if (!lead.ready()) await lead.fill();
          fold.giveLead(lead.next());
        }
        fold.add(signal, time);
      }
    }
  } finally {
    await lead.close();
  }
  return fold.result(input.domain, input.activeUsers, input.crmCompanyFields);
}

/** The cluster rule's second cursor: the scored signals' times, a page at a time. */
class LeadTimes {
  readonly #pages: AsyncIterator<readonly Signal[]>;
  readonly #times: (page: readonly Signal[]) => number[];
  #buffer: number[] = [];
  #at = 0;
  #ended = false;

  constructor(pages: AsyncIterator<readonly Signal[]>, times: (page: readonly Signal[]) => number[]) {
    this.#pages = pages;
    this.#times = times;
  }

  ready(): boolean {
    return this.#at < this.#buffer.length || this.#ended;
  }

  async fill(): Promise<void> {
    while (!this.ready()) {
      const page = await this.#pages.next();
      if (page.done) this.#ended = true;
      else [this.#buffer, this.#at] = [this.#times(page.value), 0];
    }
  }

  /** The next time, undefined once there are no more; call only when ready(). */
  next(): number | undefined {
    return this.#at < this.#buffer.length ? this.#buffer[this.#at++] : undefined;
  }

  async close(): Promise<void> {
    if (!this.#ended) await this.#pages.return?.(undefined);
  }
}

/**
 * The pages' signals in chunks, oldest first, ties by id as sortedByTime has them: the store orders by its own
 * time (PostgreSQL keeps microseconds, which Date.parse drops) and id collation, so each millisecond is
 * re-sorted; the last millisecond of a page waits for the next page, which may continue it.
 */
async function* inTimeOrder(
  pages: AsyncIterable<readonly Signal[]>,
  domain: string,
): AsyncGenerator<{ signal: Signal; time: number }[]> {
  let carried: { signal: Signal; time: number }[] = [];
  for await (const page of pages) {
    const chunk = [...carried, ...ownTimed(page, domain)];
    const lastTime = chunk.at(-1)?.time;
    let split = chunk.length;
    while (split > 0 && chunk[split - 1]?.time === lastTime) split--;
    carried = chunk.slice(split);
    yield chunk.slice(0, split).sort(byTimeThenId);
  }
  yield carried.sort(byTimeThenId);
}

function ownTimed(page: readonly Signal[], domain: string): { signal: Signal; time: number }[] {
  const timed: { signal: Signal; time: number }[] = [];
  for (const signal of page) {
    const time = Date.parse(signal.occurredAt);
    if (!Number.isNaN(time) && signal.account.domain === domain) timed.push({ signal, time });
  }
  return timed;
}

function byTimeThenId(a: { signal: Signal; time: number }, b: { signal: Signal; time: number }): number {
  return a.time - b.time || compareIds(a.signal.id, b.signal.id);
}

/** How far back the worker must read an account's signals: the longer of the scoring and qualification windows. */
export function signalLookbackStart(
  mapping: Pick<TenantMapping, 'scoring' | 'qualification'>,
  now: Date,
): Date {
  const days = Math.max(mapping.scoring.windowDays, mapping.qualification.windowDays);
  return new Date(now.getTime() - days * DAY_MS);
}

function normalisedDomain(domain: string): string {
  return domain.trim().toLowerCase();
}

function ownSignals(domain: string, signals: readonly Signal[]): Signal[] {
  const wanted = normalisedDomain(domain);
  const seen = new Set<string>();
  return signals.filter((signal) => {
    if (signal.account.domain !== wanted || seen.has(signal.id)) return false;
    seen.add(signal.id);
    return true;
  });
}

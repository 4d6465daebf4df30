/**
 * When an account's evaluation next changes with nothing new arriving: the moment decay carries its score below
 * the next level threshold, or its oldest signal leaves the scoring or the qualification window (which changes
 * the score, the counts the Product-Qualified Account rule reads, or both). The scheduled pass re-evaluates an
 * account only from then on (store: listAccountsDue); new signals re-evaluate it at once through their own job.
 *
 * Every contribution decays by the same half-life, so from `now` the score is score × 0.5^(Δt / halfLife) until a
 * signal leaves the window, and a threshold T below it is reached after halfLife × log2(score / T). The score
 * between thresholds (shown rounded) drifts continuously; the pass does not chase it. Pure.
 */
import type { Signal } from '../domain/signal.ts';
import type { TenantMapping } from '../mapping/mapping-schema.ts';

const DAY_MS = 86_400_000;

type ChangeMapping = {
  scoring: TenantMapping['scoring'];
  qualification: Pick<TenantMapping['qualification'], 'windowDays'>;
};

/** The earliest moment a signal leaves a window, kept signal by signal (any order), so no list is needed. */
export class NextChangeFold {
  readonly #mapping: ChangeMapping;
  readonly #nowMs: number;
  #earliest = Infinity;

  constructor(mapping: ChangeMapping, now: Date) {
    this.#mapping = mapping;
    this.#nowMs = now.getTime();
  }

  add(time: number): void {
    if (Number.isNaN(time)) return;
    for (const windowDays of [this.#mapping.scoring.windowDays, this.#mapping.qualification.windowDays]) {
      // "age exactly windowDays still counts": the signal is out one millisecond later.
      const leaves = time + windowDays * DAY_MS + 1;
      if (leaves > this.#nowMs && leaves < this.#earliest) this.#earliest = leaves;
    }
  }

  result(score: number): Date | null {
    const { scoring } = this.#mapping;
    let earliest = this.#earliest;
    const passed = [scoring.levels.high, scoring.levels.medium].filter((t) => t > 0 && t <= score);
    const threshold = passed.length > 0 ? Math.max(...passed) : undefined;
    if (threshold !== undefined) {
      // The level reads the score rounded to 3 decimals, so it changes once the score is half a unit under T; the
      // extra second keeps float noise on the far side of the threshold.
      const below = threshold - 0.0005;
      const crosses =
        this.#nowMs + Math.ceil(scoring.halfLifeDays * DAY_MS * Math.log2(score / below)) + 1_000;
      earliest = Math.min(earliest, crosses);
    }
    return earliest === Infinity ? null : new Date(earliest);
  }
}

export function nextChangeAt(
  signals: readonly Signal[],
  score: number,
  mapping: ChangeMapping,
  now: Date,
): Date | null {
  const fold = new NextChangeFold(mapping, now);
  for (const signal of signals) fold.add(Date.parse(signal.occurredAt));
  return fold.result(score);
}

/**
 * What qualification (src/qualification) decides about an account, and the document the sync keeps per account
 * (the store's StateRepository), shown as it is on the grid's status endpoint. Plain JSON: dates are ISO
 * strings. Produced by qualification, stored by src/store, read by src/mapping and src/intake: so it lives
 * here, below all of them.
 */
import type { IntentLevel } from './signal.ts';

export interface CriterionResult {
  criterion: string;
  kind: 'usage' | 'icp';
  held: boolean;
  /** The observed value, its threshold and where the value came from. */
  evidence: { value: unknown; threshold: unknown; source: string };
  reason: string;
}

export interface QualificationVerdict {
  qualified: boolean;
  ruleVersion: string;
  usageHeld: number;
  usageTotal: number;
  icpHeld: number;
  icpRequired: number;
  criteria: CriterionResult[];
  /** One sentence for AEs and the CRM field. */
  summary: string;
  evaluatedAt: string;
}

export interface AccountState {
  domain: string;
  score: number;
  level: IntentLevel | 'none';
  signalCount: number;
  lastSignalAt: string | null;
  aggregate: unknown;
  verdict: QualificationVerdict;
  /**
   * When the evaluation next changes by time alone (decay past a level threshold, a signal leaving a window);
   * null when it cannot (no signal in any window). Absent in documents stored before it existed.
   */
  nextChangeAt?: string | null;
  /** The mapping the evaluation was made under (its content hash): another mapping makes the account due. */
  basis?: string;
  updatedAt: string;
}

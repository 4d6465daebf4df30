/**
 * Fields Salesforce calculates itself on every write, as formula-like system fields: an Opportunity's
 * IsClosed and IsWon follow its stage (the stage's "Closed/Won" settings in the org's sales process; the
 * fake's stages are the standard ones).
 */
import type { StoredValue } from './fake-values.ts';

const CLOSED_STAGES: Record<string, boolean> = { 'closed won': true, 'closed lost': false };

export function deriveFields(objectName: string, values: Record<string, StoredValue>): void {
  if (objectName !== 'Opportunity' || typeof values['StageName'] !== 'string') return;
  const won = CLOSED_STAGES[values['StageName'].toLowerCase()];
  values['IsClosed'] = won !== undefined;
  values['IsWon'] = won === true;
}

/**
 * Change detection: gridsync remembers a fingerprint of every value it wrote, per CRM object, record and field,
 * and leaves out values identical to the last write. A re-sync of unchanged data makes no write call at all.
 */
import { createHash } from 'node:crypto';

import type { PlannedField } from '../mapping/plan-fields.ts';
import type { WrittenFieldsLedger } from '../store/store.ts';

export function fingerprint(value: string): string {
  return createHash('sha256').update(value).digest('base64url').slice(0, 22);
}

export interface RecordPlan<T> {
  /** The ledger key: grid id for grid records, CRM id for deals, companies, contacts. */
  recordKey: string;
  fields: PlannedField[];
  target: T;
}

/** Drops fields whose value equals what was last written; drops records left with nothing to write. */
export async function keepChanged<T>(
  ledger: WrittenFieldsLedger,
  tenant: string,
  objectType: string,
  plans: RecordPlan<T>[],
): Promise<RecordPlan<T>[]> {
  if (plans.length === 0) return [];
  const written = await ledger.getWrittenFields(
    tenant,
    objectType,
    plans.map((p) => p.recordKey),
  );
  const changed: RecordPlan<T>[] = [];
  for (const plan of plans) {
    const last = written.get(plan.recordKey) ?? {};
    const fields = plan.fields.filter((f) => last[f.field] !== fingerprint(f.value));
    if (fields.length > 0) changed.push({ ...plan, fields });
  }
  return changed;
}

export async function rememberWritten(
  ledger: WrittenFieldsLedger,
  tenant: string,
  objectType: string,
  written: { recordKey: string; fields: PlannedField[] }[],
): Promise<void> {
  if (written.length === 0) return;
  await ledger.recordWrittenFields(
    tenant,
    objectType,
    written.map((w) => ({
      recordKey: w.recordKey,
      fields: Object.fromEntries(w.fields.map((f) => [f.field, fingerprint(f.value)])),
    })),
  );
}

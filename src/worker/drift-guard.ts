/**
 * Fails writes early that the drift watch knows would fail: a record carrying a field the plan found missing,
 * of an incompatible type or not writable (or a value its enumeration lacks) gets the plan's message as a
 * field_missing / rejected outcome, with the field named so the grid status points at the mapping line, and
 * is not sent. Records without such a field go through as they are.
 */
import type { CrmClient, ExternalIdUpsert, RecordOutcome, RecordUpdate } from '../crm/crm-client.ts';
import { CrmError } from '../crm/crm-errors.ts';
import type { ObjectRole } from '../schema-plan/crm-schema.ts';
import type { Finding } from '../schema-plan/findings.ts';

const FIELD_BLOCKERS = new Set(['field_missing', 'type_mismatch', 'not_writable']);

function blockerFor(
  findings: readonly Finding[],
  role: ObjectRole,
  properties: Record<string, string>,
): CrmError | undefined {
  const names = new Map(Object.keys(properties).map((k) => [k.toLowerCase(), k]));
  for (const finding of findings) {
    if (finding.severity !== 'error' || finding.role !== role) continue;
    if (finding.code === 'object_missing' && role === 'grid') {
      return new CrmError('field_missing', `schema drift: ${finding.message}; fix: ${finding.fix}`);
    }
    const field = finding.field === undefined ? undefined : names.get(finding.field.toLowerCase());
    if (field === undefined) continue;
    const blocks =
      FIELD_BLOCKERS.has(finding.code) ||
      (finding.code === 'option_missing' && (finding.missingOptions ?? []).includes(properties[field] ?? ''));
    if (!blocks) continue;
    return new CrmError(
      finding.code === 'field_missing' ? 'field_missing' : 'rejected',
      `schema drift (found by the schema check, not sent): ${finding.message}; fix: ${finding.fix}`,
      { field },
    );
  }
  return undefined;
}

async function guarded<T extends { properties: Record<string, string> }>(
  items: T[],
  role: ObjectRole,
  findings: readonly Finding[],
  send: (items: T[]) => Promise<RecordOutcome[]>,
): Promise<RecordOutcome[]> {
  const blocked = items.map((item) => blockerFor(findings, role, item.properties));
  if (blocked.every((b) => b === undefined)) return send(items);
  const sent = await send(items.filter((_item, i) => blocked[i] === undefined));
  let next = 0;
  return blocked.map((error) =>
    error === undefined ? (sent[next++] as RecordOutcome) : { ok: false, error },
  );
}

/** The client, with writes checked against `findings()` (the drift watch's latest error findings). */
export function guardWrites(client: CrmClient, findings: () => readonly Finding[]): CrmClient {
  return {
    ...client,
    upsertGridRecords: (records: ExternalIdUpsert[]) =>
      guarded(records, 'grid', findings(), (r) =>
        r.length === 0 ? Promise.resolve([]) : client.upsertGridRecords(r),
      ),
    updateRecords: (role, updates: RecordUpdate[]) =>
      guarded(updates, role, findings(), (u) =>
        u.length === 0 ? Promise.resolve([]) : client.updateRecords(role, u),
      ),
  };
}

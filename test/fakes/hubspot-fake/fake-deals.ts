/**
 * The fake's deal behaviour: associations batch read (either direction of a stored association, as HubSpot
 * associations are two-way), batch create with inline associations (unique properties enforced, a refused
 * input answered in errors[] as HubSpot does), and the calculated deal properties HubSpot keeps itself
 * (createdate, hs_lastmodifieddate, hs_is_closed from the stage).
 */
import {
  batchAnswer,
  errorBody,
  type FakeAnswer,
  inputsOf,
  isString,
  refuse,
  stringProperties,
} from './fake-answers.ts';
import { recordView } from './fake-objects.ts';
import { type FakeStore, FakeWriteError } from './fake-store.ts';

const MAX_ASSOCIATION_READ = 1_000;
const MAX_BATCH = 100;
/** Association type ids a deal create may carry: to the primary company (5) and to a contact (3). */
const DEAL_TARGETS: Record<number, string> = { 5: 'companies', 341: 'companies', 3: 'contacts' };
/** Stages that count as closed in the fake's pipelines (HubSpot's default pipeline uses these ids). */
export const CLOSED_STAGES = ['closedwon', 'closedlost'];

/** POST /crm/associations/2026-03/{from}/{to}/batch/read: `{inputs: [{id, after?}]}`. */
export function readAssociations(
  store: FakeStore,
  fromType: string,
  toType: string,
  body: unknown,
): FakeAnswer {
  const inputs = inputsOf(body);
  if (!inputs || !inputs.every((i) => isString(i.id))) {
    return refuse(400, 'VALIDATION_ERROR', 'Expected {"inputs": [{"id": "…"}]}');
  }
  if (inputs.length > MAX_ASSOCIATION_READ) {
    return refuse(
      400,
      'VALIDATION_ERROR',
      `Batch read of associations exceeds ${MAX_ASSOCIATION_READ} inputs`,
    );
  }
  const startedAt = new Date().toISOString();
  const results: unknown[] = [];
  const errors: unknown[] = [];
  for (const { id } of inputs as { id: string }[]) {
    const to = new Map<string, { category: string; typeId: number }[]>();
    for (const a of store.associations) {
      const other =
        a.fromType === fromType && a.fromId === id && a.toType === toType
          ? a.toId
          : a.toType === fromType && a.toId === id && a.fromType === toType
            ? a.fromId
            : undefined;
      if (other !== undefined) {
        to.set(other, [...(to.get(other) ?? []), { category: a.category, typeId: a.typeId }]);
      }
    }
    if (to.size === 0) {
      errors.push(
        errorBody('OBJECT_NOT_FOUND', `No ${toType} is associated with ${fromType} ${id}`, {
          context: { ids: [id] },
        }),
      );
      continue;
    }
    results.push({
      from: { id },
      to: [...to].map(([toId, types]) => ({
        toObjectId: Number(toId),
        associationTypes: types.map((t) => ({ category: t.category, typeId: t.typeId, label: null })),
      })),
    });
  }
  return batchAnswer(results, errors, startedAt);
}

/** POST /crm/associations/2026-03/{from}/{to}/batch/archive: `{inputs: [{from: {id}, to: [{id}]}]}`, 204. */
export function archiveAssociations(
  store: FakeStore,
  fromType: string,
  toType: string,
  body: unknown,
): FakeAnswer {
  const inputs = inputsOf(body);
  if (!inputs) {
    return refuse(400, 'VALIDATION_ERROR', 'Expected {"inputs": [{"from": {"id"}, "to": [{"id"}]}]}');
  }
  for (const input of inputs) {
    const from = (input.from as { id?: unknown } | undefined)?.id;
    const to = Array.isArray(input.to) ? (input.to as { id?: unknown }[]).map((t) => t.id) : [];
    for (let i = store.associations.length - 1; i >= 0; i -= 1) {
      const a = store.associations[i]!;
      const pair =
        (a.fromType === fromType && a.fromId === from && a.toType === toType && to.includes(a.toId)) ||
        (a.toType === fromType && a.toId === from && a.fromType === toType && to.includes(a.fromId));
      if (pair) store.associations.splice(i, 1);
    }
  }
  return { status: 204, body: undefined };
}

/** POST /crm/objects/2026-03/deals/batch/create: `{inputs: [{properties, associations}]}`. */
export function batchCreateDeals(store: FakeStore, body: unknown): FakeAnswer {
  const inputs = inputsOf(body);
  if (!inputs) return refuse(400, 'VALIDATION_ERROR', 'Invalid input JSON: expected {"inputs": [...]}');
  if (inputs.length > MAX_BATCH) return refuse(400, 'VALIDATION_ERROR', `Batch size exceeds ${MAX_BATCH}`);
  const startedAt = new Date().toISOString();
  const results: unknown[] = [];
  const errors: unknown[] = [];
  for (const input of inputs) {
    const properties = stringProperties(input.properties);
    if (!properties) return refuse(400, 'VALIDATION_ERROR', 'Each input needs string properties');
    const links: { toType: string; toId: string; typeId: number }[] = [];
    for (const raw of Array.isArray(input.associations) ? input.associations : []) {
      const association = raw as {
        to?: { id?: unknown };
        types?: { associationCategory?: unknown; associationTypeId?: unknown }[];
      };
      const typeId = association.types?.[0]?.associationTypeId;
      const toType = typeof typeId === 'number' ? DEAL_TARGETS[typeId] : undefined;
      const toId = association.to?.id;
      if (!isString(toId) || toType === undefined || !store.get(toType, toId)) {
        return refuse(400, 'VALIDATION_ERROR', `Invalid association ${JSON.stringify(raw)}`);
      }
      links.push({ toType, toId, typeId: typeId as number });
    }
    try {
      const id = addDeal(store, properties);
      for (const link of links) {
        store.associate({
          fromType: 'deals',
          fromId: id,
          toType: link.toType,
          toId: link.toId,
          category: 'HUBSPOT_DEFINED',
          typeId: link.typeId,
        });
      }
      results.push(recordView(store.get('deals', id)!));
    } catch (thrown) {
      if (!(thrown instanceof FakeWriteError)) throw thrown;
      errors.push(errorBody(thrown.category, thrown.message, { context: {} }));
    }
  }
  return batchAnswer(results, errors, startedAt);
}

/** A deal with the properties HubSpot calculates; returns its id. */
export function addDeal(
  store: FakeStore,
  properties: Record<string, string>,
  createdAt = new Date(),
): string {
  const stamp = createdAt.toISOString();
  const record = store.create('deals', {
    pipeline: 'default',
    createdate: stamp,
    hs_lastmodifieddate: stamp,
    ...properties,
    hs_is_closed: String(CLOSED_STAGES.includes(properties.dealstage ?? '')),
  });
  return record.id;
}

/** The deal moves to another stage (the AE closes it, say); HubSpot recalculates what depends on it. */
export function moveDeal(
  store: FakeStore,
  id: string,
  properties: Record<string, string>,
  at = new Date(),
): void {
  const record = store.get('deals', id);
  if (!record) throw new Error(`fake: no deal ${id}`);
  const stage = properties.dealstage ?? record.properties.dealstage ?? '';
  store.update('deals', id, {
    ...properties,
    hs_lastmodifieddate: at.toISOString(),
    hs_is_closed: String(CLOSED_STAGES.includes(stage)),
  });
}

/** A deal of a company, as an AE opens it in HubSpot: associated with the company (primary). */
export function addCompanyDeal(
  store: FakeStore,
  companyId: string,
  properties: Record<string, string>,
  createdAt?: Date,
): string {
  const id = addDeal(store, { dealstage: 'appointmentscheduled', ...properties }, createdAt);
  store.associate({
    fromType: 'deals',
    fromId: id,
    toType: 'companies',
    toId: companyId,
    category: 'HUBSPOT_DEFINED',
    typeId: 5,
  });
  return id;
}

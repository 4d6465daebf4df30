/** The fake's association batch endpoints (2026-03) and the owners endpoint. */
import { batchAnswer, errorBody, type FakeAnswer, inputsOf, isString, refuse } from './fake-answers.ts';
import type { FakeStore } from './fake-store.ts';

const MAX_ASSOCIATION_BATCH = 2_000;
/** The unlabelled association's type id in the fake (HubSpot's differs per object pair). */
export const DEFAULT_ASSOCIATION_TYPE_ID = 1;

interface Pair {
  from: string;
  to: string;
  types: { associationCategory?: unknown; associationTypeId?: unknown }[] | undefined;
}

function pairsOf(body: unknown, needTypes: boolean): Pair[] | FakeAnswer {
  const inputs = inputsOf(body);
  if (!inputs) return refuse(400, 'VALIDATION_ERROR', 'Invalid input JSON: expected {"inputs": [...]}');
  if (inputs.length > MAX_ASSOCIATION_BATCH) {
    return refuse(400, 'VALIDATION_ERROR', `Batch size exceeds ${MAX_ASSOCIATION_BATCH}`);
  }
  const pairs: Pair[] = [];
  for (const input of inputs) {
    const from = (input.from as { id?: unknown } | undefined)?.id;
    const to = (input.to as { id?: unknown } | undefined)?.id;
    const types = Array.isArray(input.types) ? (input.types as Pair['types']) : undefined;
    const typesOk =
      types?.every((t) => isString(t.associationCategory) && typeof t.associationTypeId === 'number') ??
      false;
    if (
      !isString(from) ||
      !isString(to) ||
      (needTypes ? !typesOk || types?.length === 0 : types !== undefined)
    ) {
      return refuse(400, 'VALIDATION_ERROR', `Invalid association input ${JSON.stringify(input)}`);
    }
    pairs.push({ from, to, types });
  }
  return pairs;
}

function associateEach(
  store: FakeStore,
  fromType: string,
  toType: string,
  pairs: Pair[],
  result: (pair: Pair, category: string, typeId: number) => unknown,
): FakeAnswer {
  const startedAt = new Date().toISOString();
  const results: unknown[] = [];
  const errors: unknown[] = [];
  const defined = store.associationTypes.get(`${fromType}→${toType}`);
  for (const pair of pairs) {
    const unknownType = pair.types?.find(
      (t) => defined !== undefined && defined.get(Number(t.associationTypeId)) !== t.associationCategory,
    );
    if (unknownType !== undefined) {
      // What HubSpot sends for a type id the pair does not have: an error per input, naming none of them.
      errors.push(
        errorBody(
          'VALIDATION_ERROR',
          `${String(unknownType.associationTypeId)} is not a valid association type`,
          {
            context: {},
            subCategory: 'crm.associations.INVALID_ASSOCIATION_TYPE',
          },
        ),
      );
      continue;
    }
    if (!store.get(fromType, pair.from) || !store.get(toType, pair.to)) {
      errors.push(
        errorBody(
          'VALIDATION_ERROR',
          `${fromType} ${pair.from} or ${toType} ${pair.to} is not a valid object id`,
        ),
      );
      continue;
    }
    const [first] = pair.types ?? [];
    const category =
      typeof first?.associationCategory === 'string' ? first.associationCategory : 'HUBSPOT_DEFINED';
    const typeId =
      typeof first?.associationTypeId === 'number' ? first.associationTypeId : DEFAULT_ASSOCIATION_TYPE_ID;
    store.associate({ fromType, fromId: pair.from, toType, toId: pair.to, category, typeId });
    results.push(result(pair, category, typeId));
  }
  return batchAnswer(results, errors, startedAt);
}

/** POST /crm/associations/2026-03/{from}/{to}/batch/associate/default: `{inputs: [{from: {id}, to: {id}}]}`. */
export function associateDefault(
  store: FakeStore,
  fromType: string,
  toType: string,
  body: unknown,
): FakeAnswer {
  const pairs = pairsOf(body, false);
  if (!Array.isArray(pairs)) return pairs;
  return associateEach(store, fromType, toType, pairs, (pair, category, typeId) => ({
    from: { id: pair.from },
    to: { id: pair.to },
    associationSpec: { associationCategory: category, associationTypeId: typeId },
  }));
}

/** POST /crm/associations/2026-03/{from}/{to}/batch/create: inputs carry `types`; results use numeric ids. */
export function associateLabelled(
  store: FakeStore,
  fromType: string,
  toType: string,
  body: unknown,
): FakeAnswer {
  const pairs = pairsOf(body, true);
  if (!Array.isArray(pairs)) return pairs;
  return associateEach(store, fromType, toType, pairs, (pair, category, typeId) => ({
    fromObjectTypeId: fromType,
    fromObjectId: Number(pair.from),
    toObjectTypeId: toType,
    toObjectId: Number(pair.to),
    labels: [category === 'HUBSPOT_DEFINED' ? null : `label-${typeId}`].filter(Boolean),
  }));
}

/** GET /crm/owners/2026-03/{id}?archived=…: an archived owner is found only with archived=true. */
export function getOwner(store: FakeStore, id: string, query: URLSearchParams): FakeAnswer {
  if (!/^\d+$/.test(id)) return refuse(400, 'VALIDATION_ERROR', `Owner id ${id} is not a number`);
  const archived = query.get('archived') === 'true';
  const owner = store.owners.get(id);
  if (!owner || owner.archived !== archived) return refuse(404, 'OBJECT_NOT_FOUND', `Owner ${id} not found`);
  const now = new Date().toISOString();
  return { status: 200, body: { ...owner, userId: Number(id) + 1, createdAt: now, updatedAt: now } };
}

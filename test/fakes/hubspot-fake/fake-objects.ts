/**
 * The fake's object endpoints: batch upsert/read/update, create and batch create of tasks (with associations).
 * Inputs are validated as HubSpot would (batch size, id shapes, unique idProperty), so an adapter bug shows
 * up as a 400 here rather than passing silently.
 */
import {
  batchAnswer,
  errorBody,
  type FakeAnswer,
  inputsOf,
  isString,
  propertyMissingBody,
  refuse,
  stringProperties,
} from './fake-answers.ts';
import { type FakeRecord, type FakeStore, FakeWriteError } from './fake-store.ts';

const MAX_BATCH = 100;
const TASK_TARGETS: Record<number, string> = { 204: 'contacts', 192: 'companies', 216: 'deals' };

type WriteInput = { id: string; properties: Record<string, string>; trace: string | undefined };

export function recordView(record: FakeRecord, properties?: string[]): Record<string, unknown> {
  const shown =
    properties === undefined
      ? record.properties
      : Object.fromEntries(['hs_object_id', ...properties].map((p) => [p, record.properties[p] ?? null]));
  return {
    id: record.id,
    properties: shown,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    archived: false,
  };
}

/** Common checks of batch upsert and update; the parsed inputs, or the refusal. */
function parseWriteBatch(store: FakeStore, type: string, body: unknown): WriteInput[] | FakeAnswer {
  const inputs = inputsOf(body);
  if (!inputs) return refuse(400, 'VALIDATION_ERROR', 'Invalid input JSON: expected {"inputs": [...]}');
  if (inputs.length > MAX_BATCH) {
    return refuse(400, 'VALIDATION_ERROR', `Batch size ${inputs.length} exceeds ${MAX_BATCH}`);
  }
  const parsed: WriteInput[] = [];
  for (const input of inputs) {
    const properties = stringProperties(input.properties);
    if (!isString(input.id) || !properties) {
      return refuse(400, 'VALIDATION_ERROR', 'Each input needs a string id and string properties');
    }
    parsed.push({
      id: input.id,
      properties,
      trace: isString(input.objectWriteTraceId) ? input.objectWriteTraceId : undefined,
    });
  }
  const ids = parsed.map((i) => i.id.toLowerCase());
  const duplicates = ids.filter((id, index) => ids.indexOf(id) !== index);
  if (duplicates.length > 0) {
    return refuse(400, 'VALIDATION_ERROR', `Duplicate IDs found in batch input: ${duplicates.join(', ')}`);
  }
  for (const input of parsed) {
    const rejected = store.rejectedProperty(type, input.properties);
    if (rejected?.style === '400') return { status: 400, body: propertyMissingBody(rejected.property) };
    const invalid = store.invalidValue(type, input.properties);
    if (invalid) {
      const detail = {
        isValid: false,
        message: `${invalid.value} was not one of the allowed options`,
        error: 'INVALID_OPTION',
        name: invalid.property,
      };
      return refuse(400, 'VALIDATION_ERROR', `Property values were not valid: ${JSON.stringify([detail])}`);
    }
  }
  return parsed;
}

function writeEach(
  store: FakeStore,
  type: string,
  inputs: WriteInput[],
  write: (input: WriteInput) => Record<string, unknown>,
): FakeAnswer {
  const startedAt = new Date().toISOString();
  const results: unknown[] = [];
  const errors: unknown[] = [];
  for (const input of inputs) {
    const context = input.trace === undefined ? { ids: [input.id] } : { objectWriteTraceId: [input.trace] };
    const rejected = store.rejectedProperty(type, input.properties);
    if (rejected) {
      errors.push(propertyMissingBody(rejected.property, context));
      continue;
    }
    try {
      const result = write(input);
      results.push(input.trace === undefined ? result : { ...result, objectWriteTraceId: input.trace });
    } catch (thrown) {
      if (!(thrown instanceof FakeWriteError)) throw thrown;
      errors.push(errorBody(thrown.category, thrown.message, { context }));
    }
  }
  return batchAnswer(results, errors, startedAt);
}

export function batchUpsert(store: FakeStore, type: string, body: unknown): FakeAnswer {
  const parsed = parseWriteBatch(store, type, body);
  if (!Array.isArray(parsed)) return parsed;
  const idProperties = new Set(inputsOf(body)!.map((i) => i.idProperty));
  const [idProperty] = idProperties;
  if (idProperties.size !== 1 || !isString(idProperty)) {
    return refuse(400, 'VALIDATION_ERROR', 'Every input needs the same idProperty');
  }
  if (!store.isUnique(type, idProperty)) {
    return refuse(
      400,
      'VALIDATION_ERROR',
      `Property "${idProperty}" is not a unique identifier property of ${type}`,
    );
  }
  return writeEach(store, type, parsed, (input) => {
    const existing = store.findBy(type, idProperty, input.id);
    const record = existing
      ? store.update(type, existing.id, input.properties)
      : store.create(type, { ...input.properties, [idProperty]: input.id });
    return { ...recordView(record), new: existing === undefined };
  });
}

export function batchUpdate(store: FakeStore, type: string, body: unknown): FakeAnswer {
  const parsed = parseWriteBatch(store, type, body);
  if (!Array.isArray(parsed)) return parsed;
  return writeEach(store, type, parsed, (input) =>
    recordView(store.update(type, input.id, input.properties)),
  );
}

export function batchRead(store: FakeStore, type: string, body: unknown): FakeAnswer {
  const inputs = inputsOf(body);
  const request = body as { properties?: unknown; idProperty?: unknown; propertiesWithHistory?: unknown };
  if (!inputs || !Array.isArray(request.properties) || !inputs.every((i) => isString(i.id))) {
    return refuse(
      400,
      'VALIDATION_ERROR',
      'Expected {"inputs": [{"id"}], "properties": [...], "propertiesWithHistory": [...]}',
    );
  }
  if (inputs.length > MAX_BATCH) {
    return refuse(400, 'VALIDATION_ERROR', `Batch size ${inputs.length} exceeds ${MAX_BATCH}`);
  }
  const idProperty = request.idProperty;
  if (idProperty !== undefined && !(isString(idProperty) && store.isUnique(type, idProperty))) {
    return refuse(
      400,
      'VALIDATION_ERROR',
      `Property ${JSON.stringify(idProperty)} is not a unique identifier property of ${type}`,
    );
  }
  const startedAt = new Date().toISOString();
  const properties = request.properties.filter(isString);
  const results: unknown[] = [];
  const missing: string[] = [];
  for (const { id } of inputs as { id: string }[]) {
    const record = idProperty === undefined ? store.get(type, id) : store.findBy(type, idProperty, id);
    if (record) results.push(recordView(record, properties));
    else missing.push(id);
  }
  const errors = missing.length
    ? [
        errorBody(
          'OBJECT_NOT_FOUND',
          `Could not get some ${type} objects, they may be deleted or not exist.`,
          { context: { ids: missing } },
        ),
      ]
    : [];
  return batchAnswer(results, errors, startedAt);
}

/** POST /crm/objects/2026-03/{type}; tasks need hs_timestamp and take HUBSPOT_DEFINED associations. */
export function createObject(store: FakeStore, type: string, body: unknown): FakeAnswer {
  const request = body as { properties?: unknown; associations?: unknown };
  const checked = checkCreate(store, type, request);
  if ('status' in checked) return checked;
  return { status: 201, body: recordView(createWithLinks(store, type, checked)) };
}

/**
 * POST /crm/objects/2026-03/tasks/batch/create: `{inputs: [{properties, associations, objectWriteTraceId}]}`,
 * at most 100. A malformed request is refused whole (400); an input HubSpot refuses on its own (an association
 * to a record that does not exist, a property that does not exist) is answered in a 207's errors[], named by
 * its objectWriteTraceId, while its batch-mates are created; each result echoes its input's objectWriteTraceId.
 * Results come in no particular order (HubSpot does not promise one): the fake answers them in reverse.
 */
export function batchCreateTasks(store: FakeStore, body: unknown): FakeAnswer {
  const inputs = inputsOf(body);
  if (!inputs) return refuse(400, 'VALIDATION_ERROR', 'Invalid input JSON: expected {"inputs": [...]}');
  if (inputs.length > MAX_BATCH) {
    return refuse(400, 'VALIDATION_ERROR', `Batch size ${inputs.length} exceeds ${MAX_BATCH}`);
  }
  const traces = inputs.map((i) => i.objectWriteTraceId);
  if (traces.some((t) => t !== undefined && !isString(t))) {
    return refuse(400, 'VALIDATION_ERROR', 'objectWriteTraceId must be a string');
  }
  const startedAt = new Date().toISOString();
  const results: unknown[] = [];
  const errors: unknown[] = [];
  for (const input of inputs) {
    const trace = isString(input.objectWriteTraceId) ? input.objectWriteTraceId : undefined;
    const checked = checkCreate(store, 'tasks', input);
    if ('status' in checked) {
      const refusal = checked.body as Record<string, unknown>;
      // Without a trace id HubSpot cannot say which input failed: the context stays empty.
      errors.push({ ...refusal, context: trace === undefined ? {} : { objectWriteTraceId: [trace] } });
      continue;
    }
    const record = createWithLinks(store, 'tasks', checked);
    results.push({ ...recordView(record), ...(trace === undefined ? {} : { objectWriteTraceId: trace }) });
  }
  return batchAnswer(results.reverse(), errors, startedAt);
}

interface CheckedCreate {
  properties: Record<string, string>;
  links: { toType: string; toId: string; category: string; typeId: number }[];
}

function checkCreate(
  store: FakeStore,
  type: string,
  request: { properties?: unknown; associations?: unknown },
): CheckedCreate | FakeAnswer {
  const properties = stringProperties(request.properties);
  if (!properties) return refuse(400, 'VALIDATION_ERROR', 'Expected {"properties": {name: string}}');
  if (type === 'tasks' && !isString(properties.hs_timestamp)) {
    return refuse(400, 'VALIDATION_ERROR', 'Property "hs_timestamp" is required for tasks');
  }
  const rejected = store.rejectedProperty(type, properties);
  if (rejected) return { status: 400, body: propertyMissingBody(rejected.property) };
  const links: CheckedCreate['links'] = [];
  for (const raw of Array.isArray(request.associations) ? request.associations : []) {
    const association = raw as {
      to?: { id?: unknown };
      types?: { associationCategory?: unknown; associationTypeId?: unknown }[];
    };
    const [kind] = association.types ?? [];
    const typeId = kind?.associationTypeId;
    const toType = typeof typeId === 'number' ? TASK_TARGETS[typeId] : undefined;
    const toId = association.to?.id;
    if (
      !isString(toId) ||
      !toType ||
      kind?.associationCategory !== 'HUBSPOT_DEFINED' ||
      !store.get(toType, toId)
    ) {
      return refuse(400, 'VALIDATION_ERROR', `Invalid association ${JSON.stringify(raw)}`);
    }
    links.push({ toType, toId, category: 'HUBSPOT_DEFINED', typeId: typeId as number });
  }
  return { properties, links };
}

function createWithLinks(store: FakeStore, type: string, checked: CheckedCreate): FakeRecord {
  const record = store.create(type, checked.properties);
  for (const link of checked.links) store.associate({ fromType: type, fromId: record.id, ...link });
  return record;
}

/**
 * The REST record endpoints: sObject Collections (insert `POST /composite/sobjects`, update `PATCH
 * /composite/sobjects`, upsert `PATCH /composite/sobjects/{Object}/{ExtIdField}`, at most 200 records, one
 * result per record, `allOrNone` honoured) and the single-record create (`POST /sobjects/{Object}`), update
 * (`PATCH /sobjects/{Object}/{id}`), upsert (`PATCH /sobjects/{Object}/{ExtIdField}/{value}`) and read.
 * Request bodies follow Salesforce's Postman definitions: `{ allOrNone, records: [{ attributes: { type }, … }] }`.
 */
import { type FakeAnswer, RecordRefusal, RequestRefusal, resourceNotFound } from './fake-errors.ts';
import type { FakeOrg, WriteInput } from './fake-org.ts';

export const COLLECTION_LIMIT = 200;

type SaveResult =
  | { id: string; success: true; errors: []; created?: boolean }
  | { id?: string | null; success: false; errors: RecordRefusal['errors'] };

function collectionBody(body: unknown): { allOrNone: boolean; records: WriteInput[] } {
  const shape = body as { allOrNone?: unknown; records?: unknown } | undefined;
  if (!Array.isArray(shape?.records) || shape.records.some((r) => typeof r !== 'object' || r === null)) {
    throw new RequestRefusal(
      400,
      'JSON_PARSER_ERROR',
      'The request body must be { allOrNone, records: [ … ] }',
    );
  }
  if (shape.allOrNone !== undefined && typeof shape.allOrNone !== 'boolean') {
    throw new RequestRefusal(400, 'JSON_PARSER_ERROR', 'allOrNone must be a boolean');
  }
  if (shape.records.length > COLLECTION_LIMIT) {
    throw new RequestRefusal(
      400,
      'EXCEEDED_ID_LIMIT',
      `record limit reached. cannot submit more than ${COLLECTION_LIMIT} records into this call`,
    );
  }
  return { allOrNone: shape.allOrNone ?? false, records: shape.records as WriteInput[] };
}

function keyText(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

function typeOf(record: WriteInput): unknown {
  return (record['attributes'] as { type?: unknown } | undefined)?.type;
}

/**
 * Runs each record's write; a RecordRefusal fills its slot, a RequestRefusal fails the whole request. With
 * allOrNone, one refusal rolls every record back (the fake checks them all first, then writes).
 */
function collect(
  allOrNone: boolean,
  count: number,
  write: (i: number, dryRun: boolean) => SaveResult,
): SaveResult[] {
  if (allOrNone) {
    const trial = Array.from({ length: count }, (_, i) => write(i, true));
    if (trial.some((r) => !r.success)) {
      return trial.map((r) =>
        r.success
          ? {
              id: null,
              success: false,
              errors: [
                {
                  statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
                  message:
                    'Record rolled back because not all records were valid and the request was using AllOrNone header',
                  fields: [],
                },
              ],
            }
          : r,
      );
    }
  }
  return Array.from({ length: count }, (_, i) => write(i, false));
}

function attempt(run: () => SaveResult): SaveResult {
  try {
    return run();
  } catch (error) {
    if (error instanceof RecordRefusal) return { success: false, errors: error.errors };
    throw error;
  }
}

export function collectionsInsert(org: FakeOrg, body: unknown): FakeAnswer {
  const { allOrNone, records } = collectionBody(body);
  const prepared = records.map((record) => {
    if ('id' in record || 'Id' in record) {
      return { error: new RecordRefusal('INVALID_FIELD', 'cannot specify Id in an insert call', ['Id']) };
    }
    const object = org.writableObject(typeOf(record));
    return { object, record };
  });
  const results = collect(allOrNone, records.length, (i, dryRun) =>
    attempt(() => {
      const item = prepared[i]!;
      if ('error' in item) throw item.error;
      const created = org.create(item.object, org.prepare(item.object, item.record, 'create'), dryRun);
      return { id: created?.id ?? '', success: true, errors: [] };
    }),
  );
  return { status: 200, body: results };
}

export function collectionsUpdate(org: FakeOrg, body: unknown): FakeAnswer {
  const { allOrNone, records } = collectionBody(body);
  const objects = records.map((record) => org.writableObject(typeOf(record)));
  const results = collect(allOrNone, records.length, (i, dryRun) =>
    attempt(() => {
      const object = objects[i]!;
      const record = records[i]!;
      const id = record['id'] ?? record['Id'];
      const values = org.prepare(object, record, 'update');
      return { id: org.update(object, id, values, dryRun).id, success: true, errors: [] };
    }),
  );
  return { status: 200, body: results };
}

export function collectionsUpsert(
  org: FakeOrg,
  objectName: string,
  keyName: string,
  body: unknown,
): FakeAnswer {
  const { allOrNone, records } = collectionBody(body);
  const object = org.visibleObject(objectName);
  if (object === undefined) throw resourceNotFound();
  const keyField = org.externalIdField(object, keyName);
  for (const record of records) {
    if (typeOf(record) !== undefined && String(typeOf(record)).toLowerCase() !== object.name.toLowerCase()) {
      throw new RequestRefusal(400, 'INVALID_TYPE', `records must all be of type ${object.name}`);
    }
  }
  // Every key must be unique within the request: Salesforce refuses the duplicates, not the whole call.
  const seen = new Map<string, number>();
  records.forEach((record) => {
    const key = keyText(record[keyField.name]).toLowerCase();
    seen.set(key, (seen.get(key) ?? 0) + 1);
  });
  const results = collect(allOrNone, records.length, (i, dryRun) =>
    attempt(() => {
      const record = records[i]!;
      const key = keyText(record[keyField.name]);
      if ((seen.get(key.toLowerCase()) ?? 0) > 1) {
        throw new RecordRefusal('DUPLICATE_EXTERNAL_ID', `Duplicate external id specified: ${key}`, [
          keyField.name,
        ]);
      }
      const { record: saved, created } = org.upsert(object, keyField, record, dryRun);
      return { id: saved?.id ?? '', success: true, errors: [], created };
    }),
  );
  return { status: 200, body: results };
}

// ── single records ──────────────────────────────────────────────────────────────────────────────────────

function single(run: () => FakeAnswer): FakeAnswer {
  try {
    return run();
  } catch (error) {
    if (error instanceof RecordRefusal) return error.answer();
    throw error;
  }
}

export function createRecord(org: FakeOrg, objectName: string, body: unknown): FakeAnswer {
  const object = org.visibleObject(objectName);
  if (object === undefined) throw resourceNotFound();
  return single(() => {
    const created = org.create(object, org.prepare(object, (body ?? {}) as WriteInput, 'create'));
    return { status: 201, body: { id: created.id, success: true, errors: [] } };
  });
}

export function updateRecord(org: FakeOrg, objectName: string, id: string, body: unknown): FakeAnswer {
  const object = org.visibleObject(objectName);
  if (object === undefined) throw resourceNotFound();
  if (org.get(id) === undefined) throw resourceNotFound();
  return single(() => {
    org.update(object, id, org.prepare(object, (body ?? {}) as WriteInput, 'update'));
    return { status: 204 };
  });
}

export function upsertRecord(
  org: FakeOrg,
  objectName: string,
  keyName: string,
  key: string,
  body: unknown,
): FakeAnswer {
  const object = org.visibleObject(objectName);
  if (object === undefined) throw resourceNotFound();
  const keyField = org.externalIdField(object, keyName);
  return single(() => {
    const { record, created } = org.upsert(object, keyField, {
      ...(body as WriteInput),
      [keyField.name]: key,
    });
    return { status: created ? 201 : 200, body: { id: record?.id, success: true, errors: [], created } };
  });
}

export function readRecord(
  org: FakeOrg,
  objectName: string,
  id: string,
  apiPath: string,
  fields?: string | null,
): FakeAnswer {
  const object = org.visibleObject(objectName);
  const record = org.get(id);
  if (object === undefined || record === undefined || record.deleted || record.object !== object.name) {
    throw resourceNotFound();
  }
  const wanted = fields
    ? fields.split(',').map((f) => f.trim())
    : org.visibleFields(object).map((f) => f.name);
  const out: Record<string, unknown> = {
    attributes: { type: object.name, url: `${apiPath}/sobjects/${object.name}/${record.id}` },
  };
  for (const name of wanted) {
    const field = org.visibleField(object, name);
    if (field === undefined) {
      throw new RequestRefusal(
        400,
        'INVALID_FIELD',
        `No such column '${name}' on sobject of type ${object.name}`,
      );
    }
    out[field.name] = record.values[field.name] ?? null;
  }
  return { status: 200, body: out };
}

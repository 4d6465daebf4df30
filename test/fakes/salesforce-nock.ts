/**
 * Salesforce over nock: routes under /services/data/vXX.X answered by functions, every request recorded
 * (method, path, query, JSON or form body, bearer), and the shapes Salesforce's own Postman collection
 * (shared/specs/salesforce, CC0) gives for sObject Collections, SObject Create, Query and the OAuth token
 * request checked. nock ≥ 15 intercepts jsforce 3.10's undici fetch; reply callbacks get a fetch Request.
 *
 * Route handlers are synchronous on purpose: with jsforce's streamed request bodies, a nock reply that
 * waits on a timer was seen to let the request through to a real connection (a DNS lookup of the org's
 * host) as well. Hung connections are tested against a local server instead (salesforce-retries-auth.test.ts).
 */
import nock from 'nock';

export const INSTANCE_URL = 'https://acme.my.salesforce.com';
export const LOGIN_URL = 'https://login.salesforce.com';
export const API_VERSION = '66.0';
export const API = `/services/data/v${API_VERSION}`;
export const GRID_OBJECT = 'Sales_Grid__c';
export const GRID_KEY = 'Grid_Id__c';

export type Reply = [status: number, body?: unknown, headers?: Record<string, string>];

export interface RecordedCall {
  method: string;
  /** Path without the query, e.g. /services/data/v66.0/composite/sobjects. */
  path: string;
  query: URLSearchParams;
  body: unknown;
  authorization: string | null;
}

/** An 18-character record id: a 3-character key prefix, a number, and a checksum-like suffix. */
export function sfId(prefix: string, n: number): string {
  return `${prefix}${String(n).padStart(12, '0')}AAA`;
}

export const saved = (id: string, created?: boolean) => ({
  id,
  success: true,
  errors: [],
  ...(created === undefined ? {} : { created }),
});
export const refused = (statusCode: string, message: string, fields: string[] = []) => ({
  success: false,
  errors: [{ statusCode, message, fields }],
});
/** A request-level error body: `[{ message, errorCode, fields }]`. */
export const apiError = (errorCode: string, message: string, fields?: string[]) => [
  { message, errorCode, ...(fields ? { fields } : {}) },
];

export function queryPage(object: string, records: Record<string, unknown>[], next?: string) {
  return {
    totalSize: records.length,
    done: next === undefined,
    ...(next === undefined ? {} : { nextRecordsUrl: next }),
    records: records.map((r) => ({
      attributes: { type: object, url: `${API}/sobjects/${object}/${String(r['Id'])}` },
      ...r,
    })),
  };
}

/** The SOQL statement of a recorded query call. */
export function soqlOf(call: RecordedCall): string {
  return call.query.get('q') ?? '';
}

/**
 * Postman "SObject Collections Update"/"Create": `{ allOrNone: Boolean, records: SObject[] }`; each record
 * carries `attributes.type`. Returns the records when the body has that shape.
 */
export function collectionRecords(body: unknown, object: string): Record<string, unknown>[] {
  const shape = body as { allOrNone?: unknown; records?: unknown };
  if (typeof shape.allOrNone !== 'boolean' || !Array.isArray(shape.records)) {
    throw new Error(`not an sObject Collections body: ${JSON.stringify(body).slice(0, 200)}`);
  }
  for (const record of shape.records as { attributes?: { type?: unknown } }[]) {
    if (record.attributes?.type !== object) {
      throw new Error(`record without attributes.type ${object}: ${JSON.stringify(record)}`);
    }
  }
  return shape.records as Record<string, unknown>[];
}

async function readBody(req: Request): Promise<unknown> {
  const text = await req.text();
  if (text === '') return undefined;
  const type = req.headers.get('content-type') ?? '';
  if (type.includes('application/json')) return JSON.parse(text);
  if (type.includes('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(text));
  }
  return text;
}

async function record(req: Request): Promise<RecordedCall> {
  const url = new URL(req.url);
  return {
    method: req.method,
    path: url.pathname,
    query: url.searchParams,
    body: await readBody(req),
    authorization: req.headers.get('authorization'),
  };
}

/** A fake org: routes answered by functions of the call and its index on that route; `calls` in order. */
export class FakeSalesforce {
  readonly calls: RecordedCall[] = [];
  readonly tokenCalls: RecordedCall[] = [];
  #used = 100;
  readonly #limit: number;

  constructor(options: { apiLimit?: number; apiUsed?: number } = {}) {
    this.#limit = options.apiLimit ?? 15_000;
    this.#used = options.apiUsed ?? 100;
    nock.disableNetConnect();
  }

  /** `path` is relative to /services/data/v66.0 and matched without its query. */
  route(method: string, path: string, respond: (call: RecordedCall, nth: number) => Reply): this {
    let nth = 0;
    nock(INSTANCE_URL)
      .persist()
      .intercept((uri) => uri.split('?')[0] === `${API}${path}`, method)
      .reply(async (req: Request): Promise<Reply> => {
        const call = await record(req);
        this.calls.push(call);
        const [status, body, headers] = respond(call, nth++);
        this.#used += 1;
        return [
          status,
          body,
          {
            'content-type': 'application/json;charset=UTF-8',
            'sforce-limit-info': `api-usage=${this.#used}/${this.#limit}`,
            ...headers,
          },
        ];
      });
    return this;
  }

  /** POST {loginUrl}/services/oauth2/token, form-encoded as in Postman "Refresh Token". */
  tokenEndpoint(loginUrl: string, respond: (call: RecordedCall, nth: number) => Reply): this {
    let nth = 0;
    nock(loginUrl)
      .persist()
      .post('/services/oauth2/token')
      .reply(async (req: Request): Promise<Reply> => {
        const call = await record(req);
        this.tokenCalls.push(call);
        const [status, body, headers] = respond(call, nth++);
        return [status, body, { 'content-type': 'application/json;charset=UTF-8', ...headers }];
      });
    return this;
  }

  callsTo(method: string, path: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method && c.path === `${API}${path}`);
  }

  static reset(): void {
    nock.cleanAll();
    nock.enableNetConnect();
  }
}

export function tokenResponse(accessToken: string, instanceUrl = INSTANCE_URL) {
  return {
    access_token: accessToken,
    instance_url: instanceUrl,
    id: `${LOGIN_URL}/id/00D000000000001AAA/005000000000001AAA`,
    token_type: 'Bearer',
    issued_at: '1763640000000',
    signature: 'c2lnbmF0dXJl',
    scope: 'api refresh_token',
  };
}

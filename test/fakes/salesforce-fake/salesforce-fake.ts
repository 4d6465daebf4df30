/**
 * A stateful local stand-in for the Salesforce org gridsync talks to, on 127.0.0.1 with a random port:
 * OAuth token endpoint (client credentials, refresh token, JWT bearer), sObject Collections and
 * single-record writes, SOQL queries with paging, describe, `Sforce-Limit-Info` on every API answer and the
 * daily limit's 403, and the Metadata API subset `mapping apply` uses (fake-metadata.ts). The real
 * adapter (jsforce underneath) runs against it with `instanceUrl` and `loginUrl` set to `fake.url`.
 *
 * Tests arrange the org through `fake.org` (objects, fields, records, access) and read what happened from
 * `requests` / `callCount(route)`. A route is the method and the path below `/services/data/vXX.X`
 * (`PATCH /composite/sobjects/Sales_Grid__c/Grid_Id__c`, `GET /query`), or the full path for the rest
 * (`POST /services/oauth2/token`, `POST /services/Soap/m/66.0`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

import { LocalServer } from '../../support/local-server.ts';
import { describeGlobal, describeObject } from './fake-describe.ts';
import { type FakeAnswer, RecordRefusal, RequestRefusal, resourceNotFound } from './fake-errors.ts';
import { FakeMetadata } from './fake-metadata.ts';
import { isIdShaped } from './fake-ids.ts';
import { type FakeConnectedApp, FakeOAuth } from './fake-oauth.ts';
import { FakeOrg } from './fake-org.ts';
import {
  collectionsInsert,
  collectionsUpdate,
  collectionsUpsert,
  createRecord,
  readRecord,
  updateRecord,
  upsertRecord,
} from './fake-records-api.ts';
import { runSoql } from './fake-soql.ts';

export interface SalesforceFakeOptions {
  /** Session ids accepted as they are (an `access_token` mapping). @default ['test-token'] */
  accessTokens?: string[];
  /** Connected apps for the token endpoint. */
  apps?: FakeConnectedApp[];
  /** Issued tokens stop working after this long. @default 2 hours */
  tokenTtlMs?: number;
  /** The org's daily API request limit and what was used before the test. @default 15,000 and 0 */
  apiLimit?: number;
  apiUsed?: number;
  /** Query page size before `nextRecordsUrl`. @default 2000 */
  queryPageSize?: number;
  /** Keep request bodies (shape checks); a long bench turns this off. @default true */
  recordBodies?: boolean;
}

export interface FakeSalesforceRequest {
  route: string;
  method: string;
  path: string;
  /** The API version in the path, when it is a data or metadata call. */
  version: string | undefined;
  query: URLSearchParams;
  body: unknown;
  authorization: string | undefined;
  status: number;
  at: number;
}

/** A test's override for one request; return undefined to let the org answer. */
export type FakeIntercept = (request: {
  route: string;
  method: string;
  body: unknown;
}) => FakeAnswer | undefined;

const DATA_PATH = /^\/services\/data\/v(\d+\.\d)(\/.*)?$/;

type Handler = (
  match: RegExpMatchArray,
  body: unknown,
  query: URLSearchParams,
  apiPath: string,
) => FakeAnswer;

export class SalesforceFake {
  readonly org = new FakeOrg();
  readonly requests: FakeSalesforceRequest[] = [];
  readonly oauth: FakeOAuth;
  /** The Metadata API subset (fake-metadata.ts); `metadata.calls` lists what was asked. */
  readonly metadata: FakeMetadata;
  readonly #server: LocalServer;
  readonly #options: SalesforceFakeOptions;
  readonly #routes: [string, RegExp, Handler][];
  readonly #cursors = new Map<string, { records: unknown[]; totalSize: number }>();
  #cursorSerial = 0;
  #used: number;
  #limit: number;
  #latencyMs = 0;
  #failures: { remaining: number; until: number; answer: FakeAnswer } = {
    remaining: 0,
    until: 0,
    answer: { status: 503 },
  };
  #intercept: FakeIntercept | undefined;
  #lostAnswers: { route: string; remaining: number; answer: FakeAnswer } | undefined;

  private constructor(options: SalesforceFakeOptions) {
    this.#options = options;
    this.#used = options.apiUsed ?? 0;
    this.#limit = options.apiLimit ?? 15_000;
    this.oauth = new FakeOAuth({
      apps: options.apps ?? [],
      staticTokens: options.accessTokens ?? ['test-token'],
      tokenTtlMs: options.tokenTtlMs ?? 2 * 60 * 60_000,
    });
    const org = this.org;
    this.metadata = new FakeMetadata(org);
    this.#routes = [
      ['GET', /^\/sobjects\/?$/, (_m, _b, _q, api) => ({ status: 200, body: describeGlobal(org, api) })],
      [
        'GET',
        /^\/sobjects\/(\w+)\/describe\/?$/,
        (m, _b, _q, api) => ({ status: 200, body: describeObject(org, m[1]!, api) }),
      ],
      ['POST', /^\/sobjects\/(\w+)\/?$/, (m, b) => createRecord(org, m[1]!, b)],
      [
        'GET',
        /^\/sobjects\/(\w+)\/(\w{15}|\w{18})$/,
        (m, _b, q, api) => readRecord(org, m[1]!, m[2]!, api, q.get('fields')),
      ],
      ['PATCH', /^\/sobjects\/(\w+)\/(\w+)$/, (m, b) => updateRecord(org, m[1]!, m[2]!, b)],
      [
        'PATCH',
        /^\/sobjects\/(\w+)\/(\w+)\/([^/]+)$/,
        (m, b) => upsertRecord(org, m[1]!, m[2]!, decodeURIComponent(m[3]!), b),
      ],
      ['POST', /^\/composite\/sobjects\/?$/, (_m, b) => collectionsInsert(org, b)],
      ['PATCH', /^\/composite\/sobjects\/?$/, (_m, b) => collectionsUpdate(org, b)],
      ['PATCH', /^\/composite\/sobjects\/(\w+)\/(\w+)$/, (m, b) => collectionsUpsert(org, m[1]!, m[2]!, b)],
      ['GET', /^\/query(?:All)?\/?$/, (_m, _b, q, api) => this.#query(q.get('q') ?? '', api)],
      ['GET', /^\/query(?:All)?\/([\w-]+)$/, (m, _b, _q, api) => this.#nextPage(m[1]!, api)],
      [
        'GET',
        /^\/limits\/?$/,
        () => ({
          status: 200,
          body: { DailyApiRequests: { Max: this.#limit, Remaining: this.#limit - this.#used } },
        }),
      ],
    ];
    this.#server = new LocalServer(
      (req, res) => this.#handle(req, res),
      (thrown) => [{ errorCode: 'UNKNOWN_EXCEPTION', message: `fake failed: ${String(thrown)}` }],
    );
  }

  static async start(options: SalesforceFakeOptions = {}): Promise<SalesforceFake> {
    const fake = new SalesforceFake(options);
    await fake.#server.listen();
    return fake;
  }

  /** Both the login URL and the instance URL. */
  get url(): string {
    return this.#server.url;
  }

  close(): Promise<void> {
    return this.#server.close();
  }

  /** API requests counted against the daily limit so far (what `Sforce-Limit-Info` reports). */
  get apiUsed(): number {
    return this.#used;
  }

  setApiUsage(used: number, limit = this.#limit): void {
    this.#used = used;
    this.#limit = limit;
  }

  setLatency(ms: number): void {
    this.#latencyMs = ms;
  }

  /** The next `count` API requests get this answer (default 503 SERVER_UNAVAILABLE). */
  failNext(count: number, answer: FakeAnswer = unavailable()): void {
    this.#failures = { remaining: count, until: 0, answer };
  }

  /** Every API request gets this answer for `ms` from now. */
  failFor(ms: number, answer: FakeAnswer = unavailable()): void {
    this.#failures = { remaining: 0, until: Date.now() + ms, answer };
  }

  /** A test's own answer for chosen requests, the org answering the rest. */
  intercept(hook: FakeIntercept | undefined): void {
    this.#intercept = hook;
  }

  /**
   * The next `count` requests to `route` are carried out, but their answer is lost (a timeout or a reset
   * after Salesforce committed): the caller sees `answer` and must not do the write twice.
   */
  loseAnswers(route: string, count: number, answer: FakeAnswer = unavailable()): void {
    this.#lostAnswers = { route, remaining: count, answer };
  }

  /** Issued OAuth tokens stop working; static tokens keep working. */
  revokeTokens(): void {
    this.oauth.revokeAll();
  }

  callCount(route: string | RegExp): number {
    return this.requestsTo(route).length;
  }

  requestsTo(route: string | RegExp): FakeSalesforceRequest[] {
    return this.requests.filter((r) => (typeof route === 'string' ? r.route === route : route.test(r.route)));
  }

  bodiesOf(route: string | RegExp): unknown[] {
    return this.requestsTo(route).map((r) => r.body);
  }

  /** The SOQL statements sent, in order. */
  soql(): string[] {
    return this.requestsTo(/^GET \/query(All)?\/?$/).map((r) => r.query.get('q') ?? '');
  }

  #query(soql: string, apiPath: string): FakeAnswer {
    const { records, totalSize } = runSoql(this.org, soql, apiPath);
    return this.#page(records, totalSize, 0, apiPath);
  }

  #page(records: unknown[], totalSize: number, offset: number, apiPath: string): FakeAnswer {
    const size = this.#options.queryPageSize ?? 2000;
    const page = records.slice(offset, offset + size);
    const done = offset + size >= records.length;
    let nextRecordsUrl: string | undefined;
    if (!done) {
      this.#cursorSerial += 1;
      const locator = `01gFAKE${String(this.#cursorSerial).padStart(8, '0')}-${offset + size}`;
      this.#cursors.set(locator, { records, totalSize });
      nextRecordsUrl = `${apiPath}/query/${locator}`;
    }
    return {
      status: 200,
      body: { totalSize, done, ...(nextRecordsUrl ? { nextRecordsUrl } : {}), records: page },
    };
  }

  #nextPage(locator: string, apiPath: string): FakeAnswer {
    const cursor = this.#cursors.get(locator);
    if (cursor === undefined) {
      throw new RequestRefusal(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    }
    return this.#page(cursor.records, cursor.totalSize, Number(locator.split('-')[1]), apiPath);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const arrivedAt = Date.now();
    const url = new URL(req.url ?? '/', 'http://fake');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const type = req.headers['content-type'] ?? '';
    let body: unknown = text;
    let parseFailed = false;
    if (type.includes('json') && text !== '') {
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        parseFailed = true;
      }
    } else if (type.includes('x-www-form-urlencoded')) {
      body = Object.fromEntries(new URLSearchParams(text));
    } else if (text === '') {
      body = undefined;
    }
    const method = req.method ?? 'GET';
    const data = DATA_PATH.exec(url.pathname);
    const version = data?.[1] ?? /^\/services\/Soap\/m\/(\d+\.\d)/.exec(url.pathname)?.[1];
    const route = `${method} ${data ? (data[2] ?? '/') : url.pathname}`;
    const answer = parseFailed
      ? new RequestRefusal(400, 'JSON_PARSER_ERROR', 'Unexpected character in the request body').answer()
      : this.#answer(req, url, method, route, body, text);
    this.requests.push({
      route,
      method,
      path: url.pathname,
      version,
      query: url.searchParams,
      body: this.#options.recordBodies === false ? undefined : body,
      authorization: req.headers.authorization,
      status: answer.status,
      at: arrivedAt,
    });
    if (this.#latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.#latencyMs));
    const headers: Record<string, string> = {
      'content-type': answer.text === undefined ? 'application/json;charset=UTF-8' : 'text/xml;charset=UTF-8',
      ...answer.headers,
    };
    if (data !== null) headers['sforce-limit-info'] = `api-usage=${this.#used}/${this.#limit}`;
    res.writeHead(answer.status, headers);
    res.end(answer.text ?? (answer.body === undefined ? '' : JSON.stringify(answer.body)));
  }

  #answer(
    req: IncomingMessage,
    url: URL,
    method: string,
    route: string,
    body: unknown,
    text: string,
  ): FakeAnswer {
    if (method === 'POST' && url.pathname === '/services/oauth2/token') {
      return this.oauth.token(
        new URLSearchParams(text),
        this.url,
        this.org.orgId,
        this.org.integrationUserId,
      );
    }
    const now = Date.now();
    const bearer = req.headers.authorization?.startsWith('Bearer ')
      ? req.headers.authorization.slice(7)
      : undefined;
    if (method === 'POST' && /^\/services\/Soap\/m\/\d+\.\d$/.test(url.pathname)) {
      this.#used += 1;
      return this.metadata.answer(text, (token) => this.oauth.accepts(token, now));
    }
    if (!this.oauth.accepts(bearer, now)) {
      return new RequestRefusal(401, 'INVALID_SESSION_ID', 'Session expired or invalid').answer();
    }
    if (method === 'GET' && url.pathname === '/services/oauth2/userinfo') {
      return {
        status: 200,
        body: {
          sub: `${this.url}/id/${this.org.orgId}/${this.org.integrationUserId}`,
          user_id: this.org.integrationUserId,
          organization_id: this.org.orgId,
          preferred_username: 'gridsync@acme.example',
        },
      };
    }
    const data = DATA_PATH.exec(url.pathname);
    if (data === null) return resourceNotFound().answer();
    this.#used += 1;
    if (this.#used > this.#limit) {
      return new RequestRefusal(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.').answer();
    }
    if (this.#failures.remaining > 0 || now < this.#failures.until) {
      this.#failures.remaining = Math.max(0, this.#failures.remaining - 1);
      return this.#failures.answer;
    }
    const intercepted = this.#intercept?.({ route, method, body });
    if (intercepted !== undefined) return intercepted;
    const apiPath = `/services/data/v${data[1]}`;
    const path = data[2] ?? '/';
    for (const [routeMethod, pattern, handler] of this.#routes) {
      const match = method === routeMethod ? pattern.exec(path) : null;
      if (match === null) continue;
      // `PATCH /sobjects/X/{id}` and `PATCH /sobjects/X/{ExtIdField}` share a shape: an id decides.
      if (
        routeMethod === 'PATCH' &&
        pattern.source.startsWith('^\\/sobjects\\/(\\w+)\\/(\\w+)$') &&
        !isIdShaped(match[2]!)
      ) {
        continue;
      }
      try {
        const result = handler(match, body, url.searchParams, apiPath);
        const lost = this.#lostAnswers;
        if (lost !== undefined && lost.route === route && lost.remaining > 0) {
          lost.remaining -= 1;
          return lost.answer;
        }
        return result;
      } catch (error) {
        if (error instanceof RequestRefusal) return error.answer();
        if (error instanceof RecordRefusal) return error.answer();
        throw error;
      }
    }
    return resourceNotFound().answer();
  }
}

export function unavailable(): FakeAnswer {
  return new RequestRefusal(503, 'SERVER_UNAVAILABLE', 'The server is temporarily unavailable').answer();
}

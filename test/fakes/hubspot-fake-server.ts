/**
 * A local stand-in for the HubSpot endpoints gridsync uses, on 127.0.0.1 with a random port. It serves the
 * date-versioned (2026-03) paths, keeps records, enforces HubSpot's rate limits with its 429 bodies and
 * X-HubSpot-RateLimit-* headers, issues and expires OAuth tokens on `/oauth/2026-03/token`, and can be told to
 * fail (5xx for a while, properties that do not exist, association types that do not exist). Tests and
 * bench/sync.ts drive the real adapter against it; nothing leaves the machine.
 *
 * Retired paths (`/crm/v3/objects/…`, `/crm/v4/…`, `/oauth/v1/…`, see RETIRED_HUBSPOT_PATH_PREFIXES) are
 * refused with 410 by default and recorded, so the whole suite proves gridsync calls none of them.
 */
import { appendFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';

import { RETIRED_HUBSPOT_PATH_PREFIXES } from '../../src/crm/hubspot/hubspot-paths.ts';
import { LocalServer } from '../support/local-server.ts';
import { errorBody, type FakeAnswer, refuse } from './hubspot-fake/fake-answers.ts';
import { associateDefault, associateLabelled, getOwner } from './hubspot-fake/fake-associations.ts';
import { FakeAuth, type FakeOAuthApp } from './hubspot-fake/fake-auth.ts';
import { archiveAssociations, batchCreateDeals, readAssociations } from './hubspot-fake/fake-deals.ts';
import {
  batchCreateTasks,
  batchRead,
  batchUpdate,
  batchUpsert,
  createObject,
} from './hubspot-fake/fake-objects.ts';
import { FakeRateLimits } from './hubspot-fake/fake-rate-limit.ts';
import { FakeSchemas, schemaRoutes } from './hubspot-fake/fake-schemas.ts';
import { search } from './hubspot-fake/fake-search.ts';
import { type FakeOwner, FakeStore, type RejectStyle } from './hubspot-fake/fake-store.ts';

export interface HubSpotFakeOptions {
  /** The TEN_SECONDLY_ROLLING limit. @default 100 per 10,000 ms */
  requestsPerWindow?: number;
  windowMs?: number;
  /** @default 5 */
  searchPerSecond?: number;
  dailyLimit?: number;
  /** Added before every answer. @default 0 */
  latencyMs?: number;
  /** Unique-value properties by object type; contacts' email is always one. */
  uniqueProperties?: Record<string, string[]>;
  /** Bearer tokens accepted as service keys. @default ['test-token'] */
  accessTokens?: string[];
  /** Keep request bodies in `requests` (for shape checks); a long bench turns this off. @default true */
  recordBodies?: boolean;
  /** Enables POST /oauth/2026-03/token for this app (refresh_token and authorization_code grants). */
  oauth?: FakeOAuthApp;
  /** Answer the retired numeric-version paths as HubSpot does today instead of refusing them. @default false */
  allowRetiredPaths?: boolean;
  /** The portal's time zone, as `GET /account-info/2026-03/details` reports it. @default 'US/Eastern' */
  timeZone?: string;
  /**
   * How long a write takes to reach the search index, for every object type (HubSpot's lags by seconds): search
   * does not find a record created more recently. @default 0
   */
  searchIndexLagMs?: number;
}

export interface FakeRequest {
  /** "POST /crm/objects/2026-03/deals/batch/update": what callCount() counts. */
  route: string;
  body: unknown;
  status: number;
  at: number;
}

type Handler = (match: RegExpMatchArray, body: unknown, query: URLSearchParams) => FakeAnswer;

export class HubSpotFake {
  readonly store: FakeStore;
  /** Custom object schemas, properties, groups and association definitions (fake-schemas.ts). */
  readonly schemas: FakeSchemas;
  readonly requests: FakeRequest[] = [];
  readonly #server: LocalServer;
  readonly #limits: FakeRateLimits;
  readonly #options: HubSpotFakeOptions;
  #latencyMs: number;
  readonly #auth: FakeAuth;
  #failures: { remaining: number; until: number; status: number } = { remaining: 0, until: 0, status: 503 };
  #afterWriteFailures: { route: RegExp; answer: number | 'cut'; remaining: number } | undefined;
  #routes: [string, RegExp, Handler][];

  private constructor(options: HubSpotFakeOptions) {
    this.#options = options;
    this.#auth = new FakeAuth(options.accessTokens ?? ['test-token'], options.oauth);
    this.#latencyMs = options.latencyMs ?? 0;
    this.store = new FakeStore({ contacts: ['email'], ...options.uniqueProperties });
    this.#limits = new FakeRateLimits({
      requestsPerWindow: options.requestsPerWindow ?? 100,
      windowMs: options.windowMs ?? 10_000,
      searchPerSecond: options.searchPerSecond ?? 5,
      dailyLimit: options.dailyLimit,
      timeZone: options.timeZone ?? 'US/Eastern',
    });
    this.store.searchLagMs = options.searchIndexLagMs ?? 0;
    const s = this.store;
    const v = '2026-03';
    this.schemas = new FakeSchemas(s);
    this.#routes = [
      ...schemaRoutes(this.schemas),
      ['POST', route(`/crm/objects/${v}/*/batch/upsert`), (m, b) => batchUpsert(s, m[1]!, b)],
      ['POST', route(`/crm/objects/${v}/*/batch/update`), (m, b) => batchUpdate(s, m[1]!, b)],
      ['POST', route(`/crm/objects/${v}/*/batch/read`), (m, b) => batchRead(s, m[1]!, b)],
      ['POST', route(`/crm/objects/${v}/*/search`), (m, b) => search(s, m[1]!, b)],
      ['POST', route(`/crm/objects/${v}/*`), (m, b) => createObject(s, m[1]!, b)],
      [
        'POST',
        route(`/crm/associations/${v}/*/*/batch/associate/default`),
        (m, b) => associateDefault(s, m[1]!, m[2]!, b),
      ],
      [
        'POST',
        route(`/crm/associations/${v}/*/*/batch/create`),
        (m, b) => associateLabelled(s, m[1]!, m[2]!, b),
      ],
      // Deals (fake-deals.ts): associations read both ways, batch create with inline associations.
      [
        'POST',
        route(`/crm/associations/${v}/*/*/batch/read`),
        (m, b) => readAssociations(s, m[1]!, m[2]!, b),
      ],
      [
        'POST',
        route(`/crm/associations/${v}/*/*/batch/archive`),
        (m, b) => archiveAssociations(s, m[1]!, m[2]!, b),
      ],
      ['POST', route(`/crm/objects/${v}/deals/batch/create`), (_m, b) => batchCreateDeals(s, b)],
      ['POST', route(`/crm/objects/${v}/tasks/batch/create`), (_m, b) => batchCreateTasks(s, b)],
      ['GET', route(`/crm/owners/${v}/*`), (m, _b, q) => getOwner(s, m[1]!, q)],
      ['GET', route(`/account-info/${v}/details`), () => this.#accountDetails()],
    ];
    this.#server = new LocalServer(
      (req, res) => this.#handle(req, res),
      (thrown) => errorBody('INTERNAL_ERROR', `fake failed: ${String(thrown)}`),
    );
  }

  static async start(options: HubSpotFakeOptions = {}): Promise<HubSpotFake> {
    const fake = new HubSpotFake(options);
    await fake.#server.listen();
    return fake;
  }

  get url(): string {
    return this.#server.url;
  }

  close(): Promise<void> {
    return this.#server.close();
  }

  /** Another app on the account uses `count` requests of the window now. */
  useBudget(count: number): void {
    this.#limits.useBudget(count, Date.now());
  }

  /** Another app on the account used `count` of today's requests (the daily limit's count). */
  useDailyBudget(count: number): void {
    this.#limits.useDaily(count, Date.now());
  }

  /** What is left of today's requests, as the next answer's X-HubSpot-RateLimit-Daily-Remaining would say + 1. */
  get dailyRemaining(): number | undefined {
    return this.#limits.dailyRemaining(Date.now());
  }

  /** Another app's searches fill the per-second search window just as our next search arrives. */
  crowdNextSearch(count = this.#options.searchPerSecond ?? 5): void {
    this.#limits.crowdNextSearch(count);
  }

  /** From now on a write reaches the search index `ms` after it is made (records written earlier stay found). */
  setSearchIndexLag(ms: number): void {
    this.store.searchLagMs = ms;
  }

  /**
   * The next `count` requests on a route matching `route` are carried out, and then answered with `status` or
   * the connection is cut before any answer: the client cannot tell whether the write happened.
   */
  failAfterWrite(route: RegExp, answer: number | 'cut', count = 1): void {
    this.#afterWriteFailures = { route, answer, remaining: count };
  }

  /** Delay before every answer from now on. */
  setLatency(ms: number): void {
    this.#latencyMs = ms;
  }

  /** The next `count` CRM requests get `status` (an outage, a lock). */
  failNext(count: number, status = 503): void {
    this.#failures = { remaining: count, until: 0, status };
  }

  /** Every CRM request gets `status` for `ms` from now. */
  failFor(ms: number, status = 503): void {
    this.#failures = { remaining: 0, until: Date.now() + ms, status };
  }

  /** The property "does not exist" on the type: as per-record errors in a 207, or by refusing the whole batch. */
  rejectProperty(type: string, property: string, style: RejectStyle): void {
    this.store.rejectProperty(type, property, style);
  }

  /** Writing this value is refused with a whole-batch 400 that names no input (INVALID_OPTION). */
  rejectValue(type: string, property: string, value: string): void {
    this.store.rejectValue(type, property, value);
  }

  /** Test set-up: a record that existed before the test, so already in the search index. */
  addRecord(type: string, properties: Record<string, string>): string {
    const { id } = this.store.create(type, properties);
    this.store.indexNow(type, id);
    return id;
  }

  /** Only these labelled association types exist from `fromType` to `toType` (type id → category). */
  defineAssociationTypes(fromType: string, toType: string, types: Record<number, string>): void {
    this.store.associationTypes.set(
      `${fromType}→${toType}`,
      new Map(Object.entries(types).map(([id, category]) => [Number(id), category])),
    );
  }

  /** The app was uninstalled: its refresh token is refused until `restoreOAuthGrant`. */
  revokeOAuthGrant(): void {
    this.#auth.revokeGrant();
  }

  restoreOAuthGrant(): void {
    this.#auth.restoreGrant();
  }

  addOwner(owner: FakeOwner): void {
    this.store.owners.set(owner.id, owner);
  }

  /** Issued OAuth access tokens stop working before their expiry (revoked, rotated). */
  revokeTokens(): void {
    this.#auth.revoke();
  }

  /** Requests to a retired numeric-version path (refused unless allowRetiredPaths). */
  get retiredRequests(): FakeRequest[] {
    return this.requests.filter((r) => isRetired(r.route.slice(r.route.indexOf(' ') + 1)));
  }

  /** Requests whose route is `route` (exact) or matches it. */
  callCount(route: string | RegExp): number {
    return this.requests.filter((r) => (typeof route === 'string' ? r.route === route : route.test(r.route)))
      .length;
  }

  bodiesOf(route: string): unknown[] {
    return this.requests.filter((r) => r.route === route).map((r) => r.body);
  }

  #accountDetails(): FakeAnswer {
    return {
      status: 200,
      body: {
        portalId: 12345,
        accountType: 'STANDARD',
        timeZone: this.#options.timeZone ?? 'US/Eastern',
        companyCurrency: 'USD',
        additionalCurrencies: [],
        utcOffset: '-05:00',
        utcOffsetMilliseconds: -18_000_000,
        uiDomain: 'app.hubspot.com',
        dataHostingLocation: 'na1',
      },
    };
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // HubSpot counts a request when it arrives, not when its body has been read.
    const arrivedAt = Date.now();
    const url = new URL(req.url ?? '/', 'http://fake');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const route = `${req.method ?? 'GET'} ${url.pathname}`;
    const { status, body, headers } = this.#answer(req, url, text, arrivedAt);
    const parsed =
      this.#options.recordBodies === false
        ? undefined
        : req.headers['content-type']?.includes('json') && text
          ? (JSON.parse(text) as unknown)
          : text;
    const failure = this.#afterWriteFailures;
    const failAfter =
      failure !== undefined && failure.remaining > 0 && status < 300 && failure.route.test(route);
    if (failAfter) failure.remaining -= 1;
    const answered = failAfter && failure.answer !== 'cut' ? failure.answer : status;
    this.requests.push({
      route,
      body: parsed,
      status: failAfter && failure.answer === 'cut' ? 0 : answered,
      at: arrivedAt,
    });
    if (this.#latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.#latencyMs));
    if (failAfter && failure.answer === 'cut') {
      // Done, but the answer never arrives: the socket closes under the client.
      req.socket.destroy();
      return;
    }
    if (failAfter) {
      res.writeHead(answered, { 'content-type': 'application/json;charset=utf-8' });
      res.end(JSON.stringify(errorBody('INTERNAL_ERROR', 'An internal error occurred')));
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json;charset=utf-8', ...headers });
    res.end(body === undefined ? '' : JSON.stringify(body));
  }

  #answer(
    req: IncomingMessage,
    url: URL,
    text: string,
    now: number,
  ): FakeAnswer & { headers: Record<string, string> } {
    if (isRetired(url.pathname) && this.#options.allowRetiredPaths !== true) {
      reportRetiredCall(`${req.method ?? '?'} ${url.pathname}`, req.headers[DELIBERATE_RETIRED_CALL_HEADER]);
      return {
        ...refuse(410, 'RETIRED_API', `${url.pathname} is a retired API version; use the 2026-03 paths`),
        headers: {},
      };
    }
    if (req.method === 'POST' && url.pathname === '/oauth/2026-03/token') {
      return { ...this.#auth.token(text, req.headers['content-type']), headers: {} };
    }
    const failing = this.#failures.remaining > 0 || now < this.#failures.until;
    if (failing) {
      this.#failures.remaining = Math.max(0, this.#failures.remaining - 1);
      return {
        ...refuse(this.#failures.status, 'SERVICE_UNAVAILABLE', 'The service is temporarily unavailable'),
        headers: {},
      };
    }
    const auth = this.#auth.check(req.headers.authorization, now);
    if (auth) return { ...auth, headers: {} };
    const verdict = this.#limits.check(url.pathname.endsWith('/search'), now);
    if (!verdict.ok) return { status: 429, body: verdict.body, headers: verdict.headers };
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      return { ...refuse(400, 'VALIDATION_ERROR', 'Invalid JSON'), headers: verdict.headers };
    }
    for (const [method, pattern, handler] of this.#routes) {
      const match = req.method === method ? url.pathname.match(pattern) : null;
      if (match) {
        const segments = match.map((segment) => decodeURIComponent(segment)) as RegExpMatchArray;
        return { ...handler(segments, body, url.searchParams), headers: verdict.headers };
      }
    }
    return {
      status: 404,
      body: { status: 'error', message: `No route ${req.method} ${url.pathname}` },
      headers: verdict.headers,
    };
  }
}

/** A route template → a pattern whose groups are its `*` segments (URL-decoded by the caller). */
function route(template: string): RegExp {
  const escaped = template.replace(/[.]/g, '\\.').replaceAll('*', '([^/]+)');
  return new RegExp(`^${escaped}$`);
}

function isRetired(pathname: string): boolean {
  return RETIRED_HUBSPOT_PATH_PREFIXES.some((prefix) => pathname.startsWith(prefix));
}

/**
 * A test that probes a retired path on purpose (to check the stand-in refuses it) sends this header, so the
 * suite-wide check below does not count it.
 */
export const DELIBERATE_RETIRED_CALL_HEADER = 'x-test-deliberate-retired-call';

/**
 * Every retired-path call gridsync itself makes is appended to the file `test/support/retired-paths-check.ts`
 * names, and that global teardown fails the run when the file is not empty: a test that expects a failure
 * cannot hide a call to a retired API.
 */
function reportRetiredCall(route: string, deliberate: string | string[] | undefined): void {
  const log = process.env.GRIDSYNC_TEST_RETIRED_PATHS_LOG;
  if (log === undefined || deliberate !== undefined) return;
  appendFileSync(log, `${route}\n`);
}

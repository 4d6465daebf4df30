/**
 * A seeded hostile client for a listening intake. It speaks raw TCP (net.Socket), so it can send what no HTTP
 * client library would: broken framing, bad header bytes, raw non-ASCII in the request line, unknown methods,
 * oversized headers, a missing Host. Between the malformed requests it sends valid signed grids and signals
 * whose ids and text are full of unusual (but storable) Unicode, alters and replays some, and hands back every
 * answer and every delivery that was acknowledged, so the caller can check what the store kept.
 *
 * Used by test/intake/hostile-http.test.ts, and runnable against `gridsync serve` (see the bottom of the file).
 */
import { connect } from 'node:net';

import type { SalesGrid } from '../../src/domain/sales-grid.ts';
import type { Signal } from '../../src/domain/signal.ts';
import { signedWebhookHeaders } from '../../src/intake/sign-webhook.ts';
import { canonicalJson } from '../../src/store/canonical-json.ts';

export interface CampaignOptions {
  url: string;
  tenant: string;
  /** The tenant's webhook signing secret, for the valid (and the validly signed but bad) deliveries. */
  secret: string;
  seed: number;
  count: number;
  /** How many connections at once. */
  concurrency?: number;
  /** Include requests that stall until the server's request timeout (slow: one timeout each). */
  stalls?: number;
}

export interface Answer {
  kind: string;
  status: number;
  contentType: string;
  body: string;
  headers: Record<string, string>;
}

export interface AcceptedDelivery {
  kind: 'grid' | 'signals';
  webhookId: string;
  /** What was sent, as the receiver parses it (JSON.parse of the exact bytes). */
  sent: unknown;
}

export interface CampaignResult {
  answers: Answer[];
  accepted: AcceptedDelivery[];
  /** Every signature sent (base64, without "v1,"): none may ever appear in the server's log. */
  signatures: string[];
}

/** mulberry32: small, fast and good enough to make a failing campaign reproducible from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const int = (random: Random, min: number, max: number): number =>
  min + Math.floor(random() * (max - min + 1));

/** Characters a store must keep exactly: astral, combining, BOM, separators, controls, noncharacters, RTL. */
const UNUSUAL = [
  'é',
  'ß',
  'Ω',
  'Ж',
  'ש',
  'ع',
  '中',
  '文',
  '😀',
  '👩‍💻',
  '𝄞',
  '\u0301',
  '\u200d',
  '\ufeff',
  '\u2028',
  '\u2029',
  '\u0001',
  '\u001f',
  '\u007f',
  '\u0085',
  '\u00a0',
  '\ufffd',
  '\ufffe',
  '\uffff',
  '\u202e',
  '\ue000',
  '"',
  '\\',
  '/',
  '<',
  '&',
  "'",
  '%',
  '+',
  '?',
  '#',
  '\t',
  '\n',
];

function unusualText(random: Random, length: number): string {
  let text = '';
  while (text.length < length) {
    text += random() < 0.5 ? pick(random, UNUSUAL) : String.fromCharCode(int(random, 0x21, 0x7e));
  }
  // Surrounding whitespace is trimmed by the contract (documented), so the exact-storage check keeps it inside.
  return `x${text}x`;
}

/** JSON with every non-ASCII character as a \u escape (surrogate pairs for astral ones): the slow parse path. */
function escapedJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[^\x20-\x7e]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** The Standard Webhooks headers without Content-Type: each request states its own, once. */
function signed(secret: string, body: Buffer | string, webhookId?: string): Record<string, string> {
  const { 'content-type': _json, ...headers } = signedWebhookHeaders({
    secrets: secret,
    body,
    ...(webhookId ? { webhookId } : {}),
  });
  return headers;
}

interface Planned {
  kind: string;
  bytes: Buffer;
  /** Sent with a pause before the last part, or not finished at all. */
  stall?: 'half_close' | 'never';
  accept?: AcceptedDelivery;
  /** Replays must be answered with the original answer, nothing stored. */
  replayOf?: string;
}

function request(
  method: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer | string = '',
  host: string | null = '127.0.0.1',
): Buffer {
  const lines = [`${method} ${path} HTTP/1.1`];
  if (host !== null) lines.push(`Host: ${host}`);
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  if (body.length > 0 && !Object.keys(headers).some((h) => /^(content-length|transfer-encoding)$/i.test(h))) {
    lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  }
  lines.push('Connection: close', '', '');
  return Buffer.concat([
    Buffer.from(lines.join('\r\n'), 'latin1'),
    Buffer.isBuffer(body) ? body : Buffer.from(body),
  ]);
}

function validGrid(random: Random, n: number): SalesGrid {
  const section = (): string => `${unusualText(random, int(random, 1, 40))} words enough to count here`;
  return {
    gridId: `grid-${n}-${Math.floor(random() * 1e9).toString(36)}:${'a.b_c-'.repeat(int(random, 0, 3))}`,
    submittedBy: unusualText(random, 10),
    capturedAt: '2026-11-20T16:05:00Z',
    account: { domain: `acct-${n % 7}.example`, name: unusualText(random, 20) },
    context: {
      event: unusualText(random, 8),
      notes: unusualText(random, 60),
      [unusualText(random, 4)]: unusualText(random, 6),
    },
    beforeScenario: section(),
    idealScenario: section(),
    negativeConsequences: section(),
    positiveOutcomes: { business: section(), personal: section() },
    requiredCapabilities: section(),
  };
}

function validSignals(random: Random, n: number): Signal[] {
  return Array.from({ length: int(random, 1, 5) }, (_unused, i) => ({
    // Sender-chosen ids: anything storable goes, and two that differ in one unusual character must both be kept.
    id: `${n}-${i}-${unusualText(random, int(random, 1, 30))}`,
    type: 'product.active_day',
    account: { domain: `acct-${n % 7}.example` },
    occurredAt: new Date(Date.UTC(2026, 10, 1) + n * 1000 + i).toISOString(),
    value: int(random, 0, 100),
    attributes: { [unusualText(random, 3)]: unusualText(random, 10), n: i, ok: true },
  }));
}

const GRIDS = (tenant: string) => `/v1/tenants/${tenant}/grids`;
const SIGNALS = (tenant: string) => `/v1/tenants/${tenant}/signals`;

/** One request of a randomly chosen class. */
function plan(random: Random, options: CampaignOptions, n: number): Planned {
  const { tenant, secret } = options;
  const json = { 'Content-Type': 'application/json' };
  const classes: (() => Planned)[] = [
    () => ({
      kind: 'bad_percent',
      bytes: request(
        'GET',
        `/v1/tenants/${tenant}/grids/${pick(random, ['%E0%A4%A', '%ZZ', '%', '%C0%AF', '%ED%A0%80', 'a%FFb'])}`,
        {},
      ),
    }),
    () => ({
      kind: 'long_param',
      bytes: request('GET', `/v1/tenants/${tenant}/grids/${'g'.repeat(int(random, 201, 4000))}`, {}),
    }),
    () => ({
      kind: 'duplicate_content_length',
      bytes: request('POST', GRIDS(tenant), { ...json, 'Content-Length': '2', 'content-length': '3' }, '{}'),
    }),
    () => ({
      kind: 'bad_content_length',
      bytes: request(
        'POST',
        GRIDS(tenant),
        { ...json, 'Content-Length': pick(random, ['abc', '-1', '1.5', '0x10', '1 2', '+2']) },
        '{}',
      ),
    }),
    () => ({
      kind: 'content_length_with_chunked',
      bytes: request(
        'POST',
        GRIDS(tenant),
        { ...json, 'Content-Length': '7', 'Transfer-Encoding': 'chunked' },
        '2\r\n{}\r\n0\r\n\r\n',
      ),
    }),
    () => ({
      kind: 'bad_chunk',
      bytes: request(
        'POST',
        GRIDS(tenant),
        { ...json, 'Transfer-Encoding': 'chunked' },
        `${pick(random, ['zz', '-1', '2;\x01', 'fffffffffffffffffff'])}\r\n{}\r\n0\r\n\r\n`,
      ),
    }),
    () => ({
      kind: 'unknown_transfer_encoding',
      bytes: request(
        'POST',
        GRIDS(tenant),
        { ...json, 'Transfer-Encoding': pick(random, ['gzip', 'chunked, gzip', 'xchunked', 'identity']) },
        '{}',
      ),
    }),
    () => ({
      kind: 'bad_header_char',
      bytes: request('GET', '/healthz', {
        [pick(random, ['X-A', 'X B', 'X(A)', 'X:A'])]:
          `a${String.fromCharCode(pick(random, [0, 1, 8, 0x0b, 0x7f]))}b`,
      }),
    }),
    () => ({
      kind: 'raw_non_ascii_url',
      bytes: Buffer.concat([
        Buffer.from(`GET /v1/tenants/${tenant}/grids/`),
        Buffer.from([int(random, 0x80, 0xff), int(random, 0x80, 0xff)]),
        Buffer.from(' HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
      ]),
    }),
    () => ({
      kind: 'control_char_url',
      bytes: request('GET', `/v1/tenants/${tenant}/grids/a${String.fromCharCode(int(random, 1, 31))}b`, {}),
    }),
    () => ({
      kind: 'unknown_method',
      bytes: request(
        Array.from({ length: int(random, 3, 9) }, () => String.fromCharCode(int(random, 65, 90))).join(''),
        '/healthz',
        {},
      ),
    }),
    () => ({
      kind: 'method_not_allowed',
      bytes: request(
        pick(random, ['DELETE', 'PUT', 'PATCH', 'PROPFIND', 'OPTIONS']),
        pick(random, [GRIDS(tenant), '/healthz', `${GRIDS(tenant)}/g1`]),
        {},
      ),
    }),
    () => ({
      kind: 'oversized_headers',
      bytes: request('GET', '/healthz', { 'X-Big': 'a'.repeat(int(random, 17_000, 40_000)) }),
    }),
    () => ({
      kind: 'missing_host',
      bytes: request('GET', pick(random, ['/healthz', GRIDS(tenant)]), {}, '', null),
    }),
    () => ({ kind: 'duplicate_host', bytes: request('GET', '/healthz', { Host: 'other.example' }) }),
    () => ({
      kind: 'unknown_route',
      bytes: request(
        pick(random, ['GET', 'POST']),
        pick(random, [
          '/',
          '/v2/x',
          `/v1/tenants/${tenant}`,
          '/v1/tenants/../etc/passwd',
          '/%2e%2e/%2e%2e',
          `/v1/tenants/${tenant}/grids/a/b`,
        ]),
        {},
      ),
    }),
    () => ({
      kind: 'unknown_tenant',
      bytes: request(
        'POST',
        GRIDS(pick(random, ['nope', '__proto__', 'constructor', 'ACME', 'a'.repeat(63)])),
        json,
        '{}',
      ),
    }),
    () => {
      const body = JSON.stringify(validGrid(random, n));
      return {
        kind: 'wrong_content_type',
        bytes: request(
          'POST',
          GRIDS(tenant),
          {
            ...signed(secret, body),
            'Content-Type': pick(random, [
              'text/plain',
              'application/xml',
              'multipart/form-data; boundary=x',
              'application/json; charset=latin1',
              'application/x-www-form-urlencoded',
            ]),
          },
          body,
        ),
      };
    },
    () => ({
      kind: 'body_too_large',
      bytes: request(
        'POST',
        SIGNALS(tenant),
        { ...json, 'Content-Length': String(int(random, 1_048_577, 50_000_000)) },
        '{"signals":[',
      ),
    }),
    () => {
      const body = Buffer.alloc(1_048_577, 0x20);
      return {
        kind: 'body_too_large_sent',
        bytes: request(
          'POST',
          SIGNALS(tenant),
          { ...json, 'Transfer-Encoding': 'chunked' },
          Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]),
        ),
      };
    },
    () => {
      const full = JSON.stringify(validGrid(random, n));
      const body = full.slice(0, int(random, 0, full.length - 1));
      return {
        kind: 'bad_json',
        bytes: request('POST', GRIDS(tenant), { ...json, ...signed(secret, body) }, body),
      };
    },
    () => {
      const body = Buffer.concat([
        Buffer.from('{"signals":[{"id":"'),
        Buffer.from(
          pick(random, [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xc0, 0xaf]]),
        ),
        Buffer.from('"}]}'),
      ]);
      return {
        kind: 'invalid_utf8',
        bytes: request('POST', SIGNALS(tenant), { ...json, ...signed(secret, body) }, body),
      };
    },
    () => {
      const signals = validSignals(random, n);
      const bad = pick(random, ['\\u0000', '\\ud800', '\\udfff', 'a\\udc00b', '\\ud83d']);
      const body = JSON.stringify({ signals }).replace('"id":"', `"id":"${bad}`);
      // Should the intake ever acknowledge it, the stored-exactly check compares it with what was sent.
      const sent: unknown = JSON.parse(body);
      const webhookId = `msg_${n}_${Math.floor(random() * 1e9)}`;
      return {
        kind: 'unstorable_id',
        bytes: request('POST', SIGNALS(tenant), { ...json, ...signed(secret, body, webhookId) }, body),
        accept: { kind: 'signals', webhookId, sent },
      };
    },
    () => {
      const body = JSON.stringify(validGrid(random, n));
      return {
        kind: 'bad_signature',
        bytes: request(
          'POST',
          GRIDS(tenant),
          { ...json, ...signed('whsec_' + Buffer.alloc(24, n).toString('base64'), body) },
          body,
        ),
      };
    },
    () => ({
      kind: 'bad_version',
      bytes: Buffer.from(
        `GET /healthz ${pick(random, ['HTTP/9.9', 'HTTP/1', 'HTTPS/1.1', 'http/1.1'])}\r\nHost: x\r\n\r\n`,
      ),
    }),
    () => ({
      kind: 'garbage',
      bytes: Buffer.from(
        Array.from({ length: int(random, 1, 64) }, () => int(random, 0, 255)).concat([13, 10, 13, 10]),
      ),
    }),
    () => ({
      kind: 'truncated_body',
      bytes: request('POST', GRIDS(tenant), { ...json, 'Content-Length': '500' }, '{"gridId":'),
      stall: 'half_close',
    }),
    () => {
      const grid = validGrid(random, n);
      const body = random() < 0.5 ? escapedJson(grid) : JSON.stringify(grid);
      const webhookId = `msg_${n}_${Math.floor(random() * 1e9)}`;
      return {
        kind: 'valid_grid',
        bytes: request('POST', GRIDS(tenant), { ...json, ...signed(secret, body, webhookId) }, body),
        accept: { kind: 'grid', webhookId, sent: grid },
      };
    },
    () => {
      const signals = validSignals(random, n);
      const body = random() < 0.5 ? escapedJson({ signals }) : JSON.stringify({ signals });
      const webhookId = `msg_${n}_${Math.floor(random() * 1e9)}`;
      return {
        kind: 'valid_signals',
        bytes: request('POST', SIGNALS(tenant), { ...json, ...signed(secret, body, webhookId) }, body),
        accept: { kind: 'signals', webhookId, sent: { signals } },
      };
    },
  ];
  return pick(random, classes)();
}

/** Sends one request and reads one response (or whatever came before the server closed). */
function exchange(url: URL, planned: Planned, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    let received = Buffer.alloc(0);
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(received);
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on('error', () => {
      /* a reset after the answer is normal for refused requests */
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (completeResponse(received)) done();
    });
    socket.on('close', done);
    socket.write(planned.bytes, () => {
      if (planned.stall === 'half_close') socket.end();
    });
  });
}

function completeResponse(bytes: Buffer): boolean {
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) return false;
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(bytes.subarray(0, end).toString('latin1'))?.[1];
  return length !== undefined && bytes.length >= end + 4 + Number(length);
}

export function parseResponse(kind: string, bytes: Buffer): Answer {
  const text = bytes.toString('utf8');
  const end = text.indexOf('\r\n\r\n');
  const head = end < 0 ? text : text.slice(0, end);
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return {
    kind,
    status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0),
    contentType: headers['content-type'] ?? '',
    body: end < 0 ? '' : text.slice(end + 4),
    headers,
  };
}

export async function runHostileCampaign(options: CampaignOptions): Promise<CampaignResult> {
  const random = seededRandom(options.seed);
  const url = new URL(options.url);
  const first: Planned[] = Array.from({ length: options.count }, (_unused, n) => plan(random, options, n));
  // Sent once the first pass is answered: replays of acknowledged webhook-ids with other content (they must get
  // the original answer and store nothing), and requests that stall until the server's request timeout.
  const second: Planned[] = [];
  for (const original of first
    .filter((p) => p.kind.startsWith('valid_'))
    .slice(0, Math.ceil(options.count / 50))) {
    const accept = original.accept as AcceptedDelivery;
    const altered =
      accept.kind === 'grid'
        ? JSON.stringify({ ...(accept.sent as SalesGrid), submittedBy: 'changed' })
        : JSON.stringify({
            signals: validSignals(random, 1_000_000 + second.length).map((s) => ({
              ...s,
              id: `replay-${s.id}`,
            })),
          });
    const path = accept.kind === 'grid' ? GRIDS(options.tenant) : SIGNALS(options.tenant);
    const headers = {
      'Content-Type': 'application/json',
      ...signed(options.secret, altered, accept.webhookId),
    };
    second.push({
      kind: 'replay_altered',
      bytes: request('POST', path, headers, altered),
      replayOf: accept.webhookId,
    });
  }
  for (let i = 0; i < (options.stalls ?? 0); i += 1) {
    const headers = { 'Content-Type': 'application/json', 'Content-Length': '100' };
    second.push({
      kind: 'stalled_body',
      bytes: request('POST', GRIDS(options.tenant), headers, '{'),
      stall: 'never',
    });
  }

  const signatures = [...first, ...second].flatMap((item) =>
    [...item.bytes.toString('latin1').matchAll(/webhook-signature: v1,([^\s]+)/g)].map(
      (match) => match[1] ?? '',
    ),
  );
  const answers: Answer[] = [];
  const accepted: AcceptedDelivery[] = [];
  const run = async (queue: Planned[]): Promise<void> => {
    const worker = async (): Promise<void> => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
        const bytes = await exchange(url, item, item.stall === 'never' ? 60_000 : 15_000);
        const answer = parseResponse(item.kind, bytes);
        answers.push(answer);
        if (item.accept && answer.status === 202) accepted.push(item.accept);
      }
    };
    await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  };
  await run(first);
  await run(second);
  return { answers, accepted, signatures };
}

/** What was acknowledged, read back from the store: each grid and signal must equal what was sent. */
export interface StoredReader {
  getGrid(tenant: string, gridId: string): Promise<{ grid: unknown } | undefined>;
  listAccountSignals(tenant: string, domain: string, since: Date): Promise<Signal[]>;
}

export async function storedDifferences(
  store: StoredReader,
  tenant: string,
  accepted: AcceptedDelivery[],
): Promise<string[]> {
  const differences: string[] = [];
  const signalsByDomain = new Map<string, Map<string, Signal>>();
  for (const delivery of accepted) {
    if (delivery.kind === 'grid') {
      const sent = delivery.sent as SalesGrid;
      const stored = await store.getGrid(tenant, sent.gridId);
      if (stored === undefined || canonicalJson(stored.grid) !== canonicalJson(sent)) {
        differences.push(`grid ${JSON.stringify(sent.gridId)}: stored ${JSON.stringify(stored?.grid)}`);
      }
      continue;
    }
    for (const signal of (delivery.sent as { signals: Signal[] }).signals) {
      const domain = signal.account.domain;
      let byId = signalsByDomain.get(domain);
      if (!byId) {
        const stored = await store.listAccountSignals(tenant, domain, new Date(0));
        byId = new Map(stored.map((s) => [s.id, s]));
        signalsByDomain.set(domain, byId);
      }
      const stored = byId.get(signal.id);
      if (stored === undefined || canonicalJson(stored) !== canonicalJson(signal)) {
        differences.push(`signal ${JSON.stringify(signal.id)}: stored ${JSON.stringify(stored)}`);
      }
    }
  }
  for (const byId of signalsByDomain.values()) {
    for (const id of byId.keys()) {
      if (id.startsWith('replay-')) differences.push(`replayed signal ${id} was stored`);
    }
  }
  return differences;
}

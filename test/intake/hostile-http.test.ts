/**
 * The hostile-input campaign against a listening intake, over raw TCP: every refusal is a problem document with a
 * documented code, nothing answers 5xx, and every acknowledged delivery is stored exactly as sent, on SQLite and
 * (with GRIDSYNC_TEST_DATABASE_URL) on PostgreSQL. The seed is printed on failure; HOSTILE_SEED replays one.
 */
import { readFileSync } from 'node:fs';

import { afterEach, describe, expect, it } from 'vitest';

import { buildIntakeApp } from '../../src/intake/build-intake-app.ts';
import { silentLogger } from '../support/loggers.ts';
import { type Answer, runHostileCampaign, storedDifferences } from '../support/hostile-campaign.ts';
import { randomWebhookSecret } from '../support/sign-request.ts';
import {
  type TempStore,
  tempPostgresStore,
  tempSqliteStore,
  testDatabaseUrl,
} from '../support/temp-store.ts';
import { exampleMapping } from './intake-harness.ts';

const SEED = Number(process.env['HOSTILE_SEED'] ?? 20261201);
const DOCUMENTED = new Set(
  [
    ...readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8').matchAll(
      /^\| `([a-z_]+)` +\| \d{3} /gm,
    ),
  ].map((match) => match[1]),
);

let temp: TempStore | undefined;
afterEach(async () => {
  await temp?.cleanup();
  temp = undefined;
});

async function campaignAgainst(open: () => Promise<TempStore>, count: number) {
  temp = await open();
  const acme = exampleMapping('acme');
  const secret = randomWebhookSecret();
  const app = buildIntakeApp({
    store: temp.store,
    mappings: { get: (tenant) => (tenant === 'acme' ? acme : undefined), tenants: () => ['acme'] },
    secrets: (ref) => (ref === acme.mapping.secrets.webhookSigningSecret ? secret : undefined),
    logger: silentLogger(),
    publicUrl: 'http://127.0.0.1',
    requestTimeoutMs: 1_000,
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const result = await runHostileCampaign({ url, tenant: 'acme', secret, seed: SEED, count, stalls: 2 });
    return { ...result, differences: await storedDifferences(temp.store, 'acme', result.accepted) };
  } finally {
    await app.close();
  }
}

/** Why an answer breaks the rules, or undefined when it keeps them. */
function violation(answer: Answer): string | undefined {
  if (answer.status === 0) return 'no HTTP answer';
  if (answer.status >= 500) return `a ${answer.status}`;
  if (answer.status < 400) {
    return answer.status === 202 || answer.status === 200 ? undefined : `a ${answer.status}`;
  }
  if (!answer.contentType.startsWith('application/problem+json')) return `content type ${answer.contentType}`;
  let code: unknown;
  try {
    const body = JSON.parse(answer.body) as { code?: unknown; status?: unknown };
    if (body.status !== answer.status) return `problem status ${String(body.status)} on a ${answer.status}`;
    code = body.code;
  } catch {
    return `a body that is not JSON: ${answer.body.slice(0, 80)}`;
  }
  return DOCUMENTED.has(code as string) ? undefined : `undocumented code ${String(code)}`;
}

function summarize(answers: Answer[]): Record<string, string[]> {
  const byKind: Record<string, Set<string>> = {};
  for (const answer of answers) {
    const code =
      answer.status >= 400 ? (JSON.parse(answer.body) as { code: string }).code : String(answer.status);
    (byKind[answer.kind] ??= new Set()).add(code);
  }
  return Object.fromEntries(Object.entries(byKind).map(([kind, codes]) => [kind, [...codes].sort()]));
}

describe.each([
  { name: 'SQLite', open: tempSqliteStore, skip: false },
  { name: 'PostgreSQL', open: () => tempPostgresStore('hostile'), skip: testDatabaseUrl() === undefined },
])('a hostile client against a listening intake on $name', ({ open, skip }) => {
  it.skipIf(skip)(
    `gets a documented problem for every refusal, never a 5xx (seed ${SEED})`,
    async () => {
      const { answers, accepted, differences } = await campaignAgainst(open, 400);
      const broken = answers.map((answer) => [answer.kind, violation(answer)]).filter(([, why]) => why);
      expect(broken, `seed ${SEED}`).toEqual([]);

      const codes = summarize(answers);
      // Each class met the refusal meant for it (a class the seed did not draw is simply absent).
      const expected: Record<string, string[]> = {
        bad_percent: ['url_malformed'],
        long_param: ['uri_too_long'],
        duplicate_content_length: ['http_malformed'],
        bad_content_length: ['http_malformed'],
        content_length_with_chunked: ['http_malformed'],
        bad_chunk: ['http_malformed'],
        unknown_transfer_encoding: ['http_malformed'],
        bad_header_char: ['http_malformed'],
        raw_non_ascii_url: ['url_malformed'],
        // CR or LF end the request line early: then the line, not the URL, is what cannot be parsed.
        control_char_url: ['http_malformed', 'url_malformed'],
        unknown_method: ['http_malformed'],
        oversized_headers: ['headers_too_large'],
        missing_host: ['host_invalid'],
        duplicate_host: ['host_invalid'],
        unknown_tenant: ['tenant_unknown'],
        wrong_content_type: ['unsupported_media_type'],
        body_too_large: ['payload_too_large'],
        body_too_large_sent: ['payload_too_large'],
        invalid_utf8: ['json_malformed'],
        unstorable_id: ['payload_invalid'],
        bad_signature: ['signature_invalid'],
        truncated_body: ['http_malformed'],
        stalled_body: ['request_timeout'],
        valid_grid: ['202'],
        valid_signals: ['202'],
        replay_altered: ['202'],
      };
      for (const [kind, want] of Object.entries(expected)) {
        for (const code of codes[kind] ?? []) expect(want, kind).toContain(code);
      }
      expect(Object.keys(codes).length, 'classes drawn').toBeGreaterThan(25);

      expect(accepted.length).toBeGreaterThan(10);
      expect(differences, `seed ${SEED}`).toEqual([]);
    },
    120_000,
  );
});

/**
 * The hostile campaign against a running `gridsync serve`, from the command line, as the issue's acceptance asks:
 *
 *   node test/support/hostile-client.ts --url http://127.0.0.1:8080 --tenant acme --store ./data/gridsync.db \
 *     [--seed 1] [--count 2000] [--stalls 2] [--log serve.log --secret-env ACME_STATUS_TOKEN]
 *
 * The tenant's webhook secret comes from <TENANT>_WEBHOOK_SECRET in the environment (npm start's example values:
 * `node --env-file=mappings/examples.dev.env …`). It prints the answers per class, then checks every refusal is a
 * problem document with a code documented in docs/errors.md, that nothing answered 5xx, that every acknowledged
 * delivery is in the store exactly as sent, and (with --log) that no secret or signature is in the server's log.
 * Exits 1 when any check fails.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { openStore } from '../../src/store/open-store.ts';
import { type Answer, runHostileCampaign, storedDifferences } from './hostile-campaign.ts';
import { secretsInLog } from './log-leaks.ts';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    tenant: { type: 'string', default: 'acme' },
    store: { type: 'string' },
    seed: { type: 'string', default: '1' },
    count: { type: 'string', default: '2000' },
    stalls: { type: 'string', default: '2' },
    log: { type: 'string' },
    'secret-env': { type: 'string', multiple: true, default: [] },
  },
});
if (values.url === undefined || values.store === undefined) {
  throw new Error(
    'usage: hostile-client.ts --url URL --store DB [--tenant T] [--seed N] [--count N] [--log FILE]',
  );
}
const tenant = values.tenant;
const secretVar = `${tenant.toUpperCase()}_WEBHOOK_SECRET`;
const secret = process.env[secretVar];
if (secret === undefined) throw new Error(`set ${secretVar} (the tenant's webhook signing secret)`);

const documented = new Set(
  [
    ...readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8').matchAll(
      /^\| `([a-z_]+)` +\| \d{3} /gm,
    ),
  ].map((match) => match[1]),
);

function codeOf(answer: Answer): string {
  if (answer.status < 400) return String(answer.status);
  try {
    return String((JSON.parse(answer.body) as { code?: unknown }).code);
  } catch {
    return 'not-json';
  }
}

const started = Date.now();
const result = await runHostileCampaign({
  url: values.url,
  tenant,
  secret,
  seed: Number(values.seed),
  count: Number(values.count),
  stalls: Number(values.stalls),
});
const refusals = result.answers.filter((answer) => answer.status >= 400 || answer.status === 0);
const problems = refusals.filter(
  (answer) =>
    answer.contentType.startsWith('application/problem+json') &&
    documented.has(codeOf(answer)) &&
    (JSON.parse(answer.body) as { status?: unknown }).status === answer.status,
);
const fiveHundreds = result.answers.filter((answer) => answer.status >= 500);
const byKind = new Map<string, Map<string, number>>();
for (const answer of result.answers) {
  const codes = byKind.get(answer.kind) ?? new Map<string, number>();
  const key = `${answer.status} ${codeOf(answer)}`;
  codes.set(key, (codes.get(key) ?? 0) + 1);
  byKind.set(answer.kind, codes);
}
for (const [kind, codes] of [...byKind].sort()) {
  process.stdout.write(`${kind.padEnd(28)} ${[...codes].map(([code, n]) => `${code} ×${n}`).join(', ')}\n`);
}

const store = await openStore(values.store);
const differences = await storedDifferences(store, tenant, result.accepted);
await store.close();

const leaks: string[] = [];
if (values.log !== undefined) {
  const lines = readFileSync(values.log, 'latin1').split('\n');
  const secrets = [secret, secret.slice('whsec_'.length), ...result.signatures];
  for (const name of values['secret-env']) secrets.push(process.env[name] ?? '');
  leaks.push(
    ...secretsInLog(
      lines,
      secrets.filter((known) => known.length >= 8),
    ),
  );
}

const summary = {
  requests: result.answers.length,
  seconds: Math.round((Date.now() - started) / 1000),
  refusals: refusals.length,
  refusalsAsDocumentedProblems: problems.length,
  share: refusals.length === 0 ? 1 : problems.length / refusals.length,
  fiveHundreds: fiveHundreds.length,
  acknowledged: result.accepted.length,
  acknowledgedNotStoredExactly: differences.length,
  ...(values.log === undefined
    ? {}
    : { logBytes: readFileSync(values.log).length, secretsInLog: leaks.length }),
};
process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
for (const difference of differences.slice(0, 10)) {
  process.stdout.write(`not stored exactly: ${difference}\n`);
}
const ok =
  problems.length === refusals.length &&
  fiveHundreds.length === 0 &&
  differences.length === 0 &&
  leaks.length === 0;
process.exitCode = ok ? 0 : 1;

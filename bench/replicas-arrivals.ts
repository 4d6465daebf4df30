/**
 * bench/replicas-arrivals: grids arriving over HTTP while gridsync runs, spread over its replicas (a load balancer
 * in front of `gridsync serve` processes on one PostgreSQL database), one HubSpot stand-in at a low limit so the
 * CRM is the bound. The same arrivals go to 1 replica and to 2; it prints what the CRM saw (requests, answers
 * 429), how long until every grid was synced, and the ratios. With a shared budget the replicas never exceed the
 * tenant's limit; a replica also leaves the tenant to the one already spending its budget (docs/architecture.md,
 * "A replica leaves a tenant…"), so two replicas should need no more requests than one.
 *
 *   GRIDSYNC_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test node bench/replicas-arrivals.ts
 *   BENCH_GRIDS=400 BENCH_LIMIT=10 node bench/replicas-arrivals.ts   (the defaults)
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

import { acmeMappingAt, scratchDatabase } from './support/bench-tenants.ts';
import grid from '../test/fixtures/grids/ledgerline-complete.json' with { type: 'json' };
import { HubSpotFake } from '../test/fakes/hubspot-fake-server.ts';
import { type ChildGridsync, postSigned, startChildGridsync } from '../test/support/child-gridsync.ts';

const GRIDS = Number(process.env['BENCH_GRIDS'] ?? 400);
const LIMIT = Number(process.env['BENCH_LIMIT'] ?? 10);
const ACCOUNTS = 40;
const SECRET = 'whsec_ph/TejR3Xie6tPfWxXaGXSywN/iZ6lS/';

interface Outcome {
  seconds: number;
  requests: number;
  limited: number;
  records: number;
  warnings: string[];
}

const baseUrl = process.env['BENCH_DATABASE_URL'] ?? process.env['GRIDSYNC_TEST_DATABASE_URL'];
if (baseUrl === undefined) {
  throw new Error('set GRIDSYNC_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test');
}
const out = (line: string) => process.stdout.write(`${line}\n`);
out(
  `bench/replicas-arrivals: ${GRIDS} grids over HTTP while gridsync runs, one tenant at ${LIMIT} requests / 10 s`,
);
const results: Outcome[] = [];
for (const replicas of [1, 2]) {
  const o = await run(baseUrl, replicas);
  results.push(o);
  out(
    `  ${replicas} replica${replicas > 1 ? 's' : ' '}  synced in ${o.seconds.toFixed(1)} s, ${o.requests} CRM requests (${o.limited} answered 429), grid records ${o.records}${o.warnings.length > 0 ? `, warnings: ${o.warnings.join('; ')}` : ''}`,
  );
}
const [one, two] = results as [Outcome, Outcome];
out(
  `  2 replicas ÷ 1: requests ${(two.requests / one.requests).toFixed(2)}, time ${(two.seconds / one.seconds).toFixed(2)}`,
);

async function run(base: string, replicas: number): Promise<Outcome> {
  const fake = await HubSpotFake.start({
    requestsPerWindow: LIMIT,
    windowMs: 10_000,
    uniqueProperties: { p_sales_grid: ['gridsync_grid_id'] },
    recordBodies: false,
  });
  const deals = Array.from({ length: ACCOUNTS }, (_, i) => {
    fake.addRecord('companies', {
      domain: `account${i}.example`,
      name: `Account ${i}`,
      hubspot_owner_id: '501',
    });
    fake.addRecord('contacts', { email: `dev@account${i}.example` });
    return fake.addRecord('deals', { dealname: `Deal ${i}`, hubspot_owner_id: '501' });
  });
  const dir = mkdtempSync(join(tmpdir(), 'gridsync-arrivals-'));
  mkdirSync(join(dir, 'mappings'));
  writeFileSync(join(dir, 'mappings', 'acme.yaml'), acmeMappingAt(fake.url, LIMIT));
  const scratch = await scratchDatabase(base, 'gridsync_arrivals');
  const env = {
    GRIDSYNC_DATABASE_URL: scratch.url,
    GRIDSYNC_MAPPINGS_DIR: join(dir, 'mappings'),
    ACME_HUBSPOT_TOKEN: 'test-token',
    ACME_WEBHOOK_SECRET: SECRET,
    ACME_STATUS_TOKEN: 'bench-status-token',
  };
  const children: ChildGridsync[] = [];
  try {
    for (let i = 0; i < replicas; i++) children.push(await startChildGridsync(env, 60_000));
    const started = Date.now();
    // Bursts of 50 a second apart, each grid to the next replica (round robin), all while the worker runs.
    for (let i = 0; i < GRIDS; i++) {
      const a = i % ACCOUNTS;
      const body = {
        ...grid,
        gridId: `arrival-${i}`,
        capturedAt: new Date().toISOString(),
        account: { domain: `account${a}.example`, name: `Account ${a}` },
        contact: { email: `dev@account${a}.example` },
        deal: { crmId: deals[a] },
      };
      const answer = await postSigned(children[i % replicas]!, SECRET, 'grids', body);
      if (answer.status !== 202) throw new Error(`grid ${i}: ${answer.status} ${await answer.text()}`);
      if (i % 50 === 49) await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    const watch = new pg.Client({ connectionString: env.GRIDSYNC_DATABASE_URL });
    await watch.connect();
    for (;;) {
      const { rows } = await watch.query<{ open: number; done: number }>(
        `SELECT count(*) FILTER (WHERE state IN ('pending', 'running'))::int AS open,
                count(*) FILTER (WHERE state = 'succeeded')::int AS done FROM jobs WHERE kind = 'grid.sync'`,
      );
      if (rows[0]!.open === 0 && rows[0]!.done >= GRIDS) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const seconds = (Date.now() - started) / 1000;
    await watch.end();
    // The stand-in has no schemas for the drift watch to find; its findings are expected here.
    const warnings = children.flatMap((c) =>
      c.logs
        .filter((l) => Number(l['level']) >= 40 && !String(l['msg']).startsWith('schema drift'))
        .map((l) => String(l['msg'])),
    );
    return {
      seconds,
      requests: fake.requests.length,
      limited: fake.requests.filter((r) => r.status === 429).length,
      records: fake.store.records('p_sales_grid').length,
      warnings: [...new Set(warnings)],
    };
  } finally {
    await Promise.all(children.map((c) => c.kill('SIGTERM')));
    await fake.close();
    await scratch.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

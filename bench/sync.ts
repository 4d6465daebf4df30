/**
 * bench/sync: the HubSpot adapter against the local HubSpot stand-in, which enforces 100 requests per rolling
 * 10 s (429s and X-HubSpot-RateLimit-* headers like HubSpot's) and 5 searches per second. The stand-in runs in
 * a worker thread, as HubSpot runs on another machine: it stamps each request when it arrives, whatever the
 * adapter's event loop is doing.
 *
 * It drives the CrmClient with the call pattern of a sync, 100 grids at a time: resolve identities (companies
 * by domain, contacts by email, deals by id), upsert the grid records, associate them with deal, company and
 * contact, update the deals and companies. That is 9 calls per 100 grids, so the limit allows at most
 * 100 / 10 s / 9 × 100 ≈ 111 records/s: the ceiling.
 *
 *   node bench/sync.ts                      40 s, 8 concurrent batches
 *   BENCH_SECONDS=60 BENCH_CONCURRENCY=4 node bench/sync.ts
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

import type { CrmClient, RecordOutcome } from '../src/crm/crm-client.ts';
import { staticTokenProvider } from '../src/crm/hubspot/hubspot-auth.ts';
import { createHubSpotClient } from '../src/crm/hubspot/hubspot-client.ts';
import { createLogger } from '../src/lib/logger.ts';
import { tenantMappingSchema } from '../src/mapping/mapping-schema.ts';
import { HubSpotFake } from '../test/fakes/hubspot-fake-server.ts';

const LIMIT = 100;
const WINDOW_MS = 10_000;
const BATCH = 100;
/** search + 2 batch reads + upsert + 3 association calls + 2 batch updates */
const CALLS_PER_BATCH = 9;
const ACCOUNTS = 3_000;
const GRID_OBJECT = 'p_sales_grid';

interface Account {
  domain: string;
  email: string;
  company: string;
  contact: string;
  deal: string;
}
type Arrival = { route: string; status: number; at: number };

if (!isMainThread) await serveFake();
else await runBench();

/** The worker thread: the HubSpot stand-in, seeded with accounts; answers 'report' with what it received. */
async function serveFake(): Promise<void> {
  const fake = await HubSpotFake.start({
    requestsPerWindow: LIMIT,
    windowMs: WINDOW_MS,
    searchPerSecond: 5,
    uniqueProperties: { [GRID_OBJECT]: ['gridsync_grid_id'] },
    recordBodies: false,
  });
  const accounts: Account[] = Array.from({ length: workerData as number }, (_, i) => ({
    domain: `account${i}.example`,
    email: `dev@account${i}.example`,
    company: fake.addRecord('companies', {
      domain: `account${i}.example`,
      industry: 'fintech',
      hubspot_owner_id: '501',
    }),
    contact: fake.addRecord('contacts', { email: `dev@account${i}.example` }),
    deal: fake.addRecord('deals', { dealname: `Deal ${i}`, hubspot_owner_id: '501' }),
  }));
  parentPort!.postMessage({ url: fake.url, accounts });
  parentPort!.once('message', () => {
    const arrivals: Arrival[] = fake.requests.map(({ route, status, at }) => ({ route, status, at }));
    void fake.close().then(() => parentPort!.postMessage(arrivals));
  });
}

async function runBench(): Promise<void> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 40);
  const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8);
  const worker = new Worker(new URL(import.meta.url), { workerData: ACCOUNTS });
  const { url, accounts } = await nextMessage<{ url: string; accounts: Account[] }>(worker);
  const client = createHubSpotClient({
    mapping: benchMapping(),
    accessToken: staticTokenProvider('test-token'),
    logger: createLogger({ level: process.env.LOG_LEVEL ?? 'warn' }),
    baseUrl: url,
  });

  process.stdout.write(
    `bench/sync: ${seconds} s, ${concurrency} concurrent batches of ${BATCH}, limit ${LIMIT} requests / ${WINDOW_MS / 1000} s\n`,
  );
  const started = Date.now();
  const deadline = started + seconds * 1000;
  const completions: { at: number; records: number }[] = [];
  let failedRecords = 0;
  let nextGrid = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < deadline) {
        const first = nextGrid;
        nextGrid += BATCH;
        const batch = Array.from({ length: BATCH }, (_, i) => ({
          gridId: `grid-${first + i}`,
          account: accounts[(first + i) % ACCOUNTS]!,
        }));
        try {
          const failed = await syncBatch(client, batch);
          failedRecords += failed;
          completions.push({ at: Date.now(), records: BATCH - failed });
        } catch (thrown) {
          failedRecords += BATCH;
          process.stderr.write(`batch failed: ${String(thrown)}\n`);
        }
      }
    }),
  );
  const finished = Date.now();
  worker.postMessage('report');
  const arrivals = await nextMessage<Arrival[]>(worker);
  await worker.terminate();
  report({ started, deadline, finished, completions, failedRecords, arrivals });
  process.exitCode = failedRecords > 0 ? 1 : 0;
}

/** One sync of 100 grids, as the worker does it; returns how many records failed. */
async function syncBatch(crm: CrmClient, batch: { gridId: string; account: Account }[]): Promise<number> {
  const [companies, contacts, deals] = await Promise.all([
    crm.findCompaniesByDomain(
      batch.map((g) => g.account.domain),
      ['industry'],
    ),
    crm.findContactsByEmail(batch.map((g) => g.account.email)),
    crm.getDeals(
      batch.map((g) => g.account.deal),
      [],
    ),
  ]);
  const failed = new Set<string>();
  const note = (outcomes: RecordOutcome[], gridIds: string[]): void =>
    outcomes.forEach((o, i) => {
      if (!o.ok) failed.add(gridIds[i]!);
    });
  for (const g of batch) {
    if (!companies.has(g.account.domain) || !contacts.has(g.account.email) || !deals.has(g.account.deal)) {
      failed.add(g.gridId);
    }
  }
  const gridIds = batch.map((g) => g.gridId);
  const upserted = await crm.upsertGridRecords(
    batch.map((g) => ({
      externalId: g.gridId,
      properties: { gridsync_before_scenario: `Before scenario of ${g.gridId}` },
    })),
  );
  note(upserted, gridIds);
  const linked = batch.flatMap((g, i) => {
    const outcome = upserted[i];
    const [deal, company, contact] = [
      deals.get(g.account.deal),
      companies.get(g.account.domain),
      contacts.get(g.account.email),
    ];
    if (!outcome?.ok || !deal || !company || !contact) return [];
    return [
      {
        gridId: g.gridId,
        link: { gridRecordId: outcome.id, deal: deal.id, company: company.id, contact: contact.id },
      },
    ];
  });
  note(
    await crm.linkGridRecords(linked.map((l) => l.link)),
    linked.map((l) => l.gridId),
  );
  const [dealOutcomes, companyOutcomes] = await Promise.all([
    crm.updateRecords(
      'deal',
      batch.map((g) => ({
        id: g.account.deal,
        properties: { gridsync_grid_url: `https://gridsync.example/g/${g.gridId}` },
      })),
    ),
    crm.updateRecords(
      'company',
      batch.map((g) => ({ id: g.account.company, properties: { gridsync_intent_level: 'high' } })),
    ),
  ]);
  note(dealOutcomes, gridIds);
  note(companyOutcomes, gridIds);
  return failed.size;
}

function report(run: {
  started: number;
  deadline: number;
  finished: number;
  completions: { at: number; records: number }[];
  failedRecords: number;
  arrivals: Arrival[];
}): void {
  const { started, deadline, finished, completions, failedRecords, arrivals } = run;
  const records = completions.reduce((sum, c) => sum + c.records, 0);
  // Steady state: from the moment the initial, full budget is used up (the LIMIT-th admitted call) to the end of
  // the last complete wave of LIMIT calls before the deadline. Calls go out in waves as earlier ones leave the
  // window; fenceposts at the same point of a wave count whole waves of calls and of finished batches.
  const admitted = arrivals.filter((r) => r.status !== 429 && r.at <= deadline).map((r) => r.at);
  const waves = Math.floor(admitted.length / LIMIT);
  const steadyFrom = admitted[LIMIT - 1] ?? started;
  const steadyTo = admitted[waves * LIMIT - 1] ?? deadline;
  const steadySeconds = (steadyTo - steadyFrom) / 1000;
  const steadyCalls = admitted.filter((at) => at > steadyFrom && at <= steadyTo).length;
  const steadyRecords = completions
    .filter((c) => c.at > steadyFrom && c.at <= steadyTo)
    .reduce((sum, c) => sum + c.records, 0);
  const steadyRate = steadyRecords / steadySeconds;
  const ceiling = LIMIT / (WINDOW_MS / 1000) / (CALLS_PER_BATCH / BATCH);
  const callShare = steadyCalls / ((LIMIT * steadySeconds) / (WINDOW_MS / 1000));
  const answered429 = arrivals.filter((r) => r.status === 429).length;
  const writeCalls = arrivals.filter((r) =>
    /batch\/(upsert|update|associate\/default|create)$/.test(r.route),
  ).length;
  const perRecord = (n: number): string => (n / Math.max(1, records)).toFixed(3);
  const rows: [string, string][] = [
    [
      'records synced',
      `${records} in ${((finished - started) / 1000).toFixed(1)} s (${failedRecords} failed)`,
    ],
    [
      'steady state measured',
      `${steadySeconds.toFixed(1)} s, ${steadyCalls} calls, ${steadyRecords} records`,
    ],
    ['records/s (steady state)', steadyRate.toFixed(1)],
    [
      'records/s (whole run, incl. the initial full budget)',
      (records / ((finished - started) / 1000)).toFixed(1),
    ],
    [
      'ceiling the limit allows',
      `${ceiling.toFixed(1)} records/s (${CALLS_PER_BATCH} calls per ${BATCH} records)`,
    ],
    [
      'fraction of ceiling (records, steady state, ±1 batch)',
      `${((steadyRate / ceiling) * 100).toFixed(1)} %`,
    ],
    ['fraction of the request limit used (steady state)', `${(callShare * 100).toFixed(1)} %`],
    ['calls per record / write calls per record', `${perRecord(arrivals.length)} / ${perRecord(writeCalls)}`],
    [
      'HTTP calls / answered 429',
      `${arrivals.length} / ${answered429} (${((answered429 / Math.max(1, arrivals.length)) * 100).toFixed(2)} %)`,
    ],
    ['failed records', String(failedRecords)],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value] of rows) process.stdout.write(`  ${label.padEnd(width)}  ${value}\n`);
  for (const r of arrivals.filter((a) => a.status === 429)) {
    process.stdout.write(`  429 at ${((r.at - started) / 1000).toFixed(3)} s on ${r.route}\n`);
  }
}

function benchMapping() {
  return tenantMappingSchema.parse({
    tenant: 'bench',
    crm: { type: 'hubspot', plan: 'starter' },
    secrets: { webhookSigningSecret: { env: 'BENCH_SECRET' }, statusToken: { env: 'BENCH_TOKEN' } },
    grid: {
      object: GRID_OBJECT,
      externalIdField: 'gridsync_grid_id',
      fields: {},
      associate: { deal: {}, company: {}, contact: {} },
    },
    scoring: { signals: { 'product.active_day': { intent: 'high' } } },
    qualification: {
      usage: { activeDays: { min: 3 } },
      icp: { required: 1, criteria: { industry: { from: [{ crmField: 'industry' }], in: ['fintech'] } } },
    },
    task: { subject: 'x', body: 'y', owner: { chain: ['deal_owner'] } },
  });
}

function nextMessage<T>(worker: Worker): Promise<T> {
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

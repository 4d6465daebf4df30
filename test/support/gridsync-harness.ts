/**
 * Runs the whole of gridsync in-process (intake on a real port, the worker, a temp SQLite store, a mappings
 * folder) against the local HubSpot stand-in, so end-to-end tests exercise the same composition as
 * `gridsync serve`, CRM connection included: the mapping's crm.baseUrl points at the stand-in and the credentials
 * it names are set, as an operator would set them. Only where secrets are read (a lookup over the test's values
 * instead of process.env) and the CRM retry timings (StartOptions.crmRetry) differ from production.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';

import { loadConfig } from '../../src/config/env.ts';
import type { SecretLookup } from '../../src/config/secrets.ts';
import type { RetryPolicy } from '../../src/crm/retry-decision.ts';
import { createLogger, type Logger } from '../../src/lib/logger.ts';
import { startGridsync, type Gridsync, type StartOptions } from '../../src/main.ts';
import type { Store } from '../../src/store/store.ts';
import { HubSpotFake, type HubSpotFakeOptions } from '../fakes/hubspot-fake-server.ts';
import { randomWebhookSecret, signRequest } from './sign-request.ts';

export const TENANT = 'acme';
export const FAKE_TOKEN = 'test-token';
// acme.yaml's crm.auth: a static token in ACME_HUBSPOT_TOKEN, which the stand-in accepts.
const ACME_CRM_SECRETS: Record<string, string> = { ACME_HUBSPOT_TOKEN: FAKE_TOKEN };

/** acme's CRM credentials as gridsync reads secrets, for the commands tests run outside a harness. */
export const acmeCrmSecrets: SecretLookup = (ref) => ('env' in ref ? ACME_CRM_SECRETS[ref.env] : undefined);

/** An edit to an example mapping before it is written: a YAML document path and its new value. */
export type MappingEdit = [path: (string | number)[], value: unknown];

export interface Harness {
  gridsync: Gridsync;
  fake: HubSpotFake;
  secret: string;
  statusToken: string;
  dir: string;
  dbPath: string;
  postGrid(grid: unknown, webhookId?: string): Promise<Response>;
  postSignals(signals: unknown[], webhookId?: string): Promise<Response>;
  status(gridId: string): Promise<Record<string, unknown>>;
  /** Waits until the worker has nothing due. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  fake?: HubSpotFakeOptions;
  /** Edits the acme example mapping before it is written (YAML document paths). */
  mapping?: MappingEdit[];
  /** The CRM request retries (StartOptions.crmRetry), over the harness's short defaults. */
  retry?: Partial<RetryPolicy>;
  runner?: {
    retrySchedule?: { baseMs: number; capMs: number };
    idlePollMs?: number;
    /** Burst linger timings; { quietMs: 0, maxMs: 0 } claims as soon as anything is due. */
    linger?: { quietMs?: number; maxMs?: number };
    /** Groups of one claim run one after another (in claim order) with 1. */
    concurrency?: number;
    /** The CRM circuit breaker's pauses, shortened so minutes of an outage pass in seconds. */
    breaker?: { baseMs: number; capMs: number };
  };
  /**
   * More secrets by environment variable name, e.g. the OAuth values of a mapping whose crm.auth is edited to
   * oauth. Read at every lookup, so a test may rotate one (as an operator updates a secret).
   */
  secrets?: Record<string, string>;
  startWorker?: boolean;
  /** A store to run on instead of a SQLite file (e.g. a PostgreSQL schema shared by two replicas). */
  store?: Store;
  /** Reuse a store file (restart after a crash). */
  dbPath?: string;
  dir?: string;
  fakeInstance?: HubSpotFake;
  /** More environment for loadConfig (e.g. GRIDSYNC_METRICS_TOKEN). */
  env?: Record<string, string>;
  /** Runs the drift watch as `gridsync serve` does (its tick shortened); off by default. */
  schemaWatch?: StartOptions['schemaWatch'];
  /** Where gridsync logs (default: silent, or E2E_LOG_LEVEL). */
  logger?: Logger;
}

/** Writes acme.yaml to `dir/mappings`, its crm.baseUrl at the stand-in, then `edits`; returns the file. */
export function writeTenantMapping(dir: string, fakeUrl: string, edits: MappingEdit[] = []): string {
  return writeExampleMapping('acme', dir, [[['crm', 'baseUrl'], fakeUrl], ...edits]);
}

/** Writes `mappings/<tenant>.yaml` (an example mapping) to `dir/mappings` with `edits` made; returns the file. */
export function writeExampleMapping(tenant: string, dir: string, edits: MappingEdit[]): string {
  const doc = parseDocument(readFileSync(`mappings/${tenant}.yaml`, 'utf8'));
  for (const [path, value] of edits) doc.setIn(path, value);
  mkdirSync(join(dir, 'mappings'), { recursive: true });
  const file = join(dir, 'mappings', `${tenant}.yaml`);
  writeFileSync(file, doc.toString());
  return file;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const fake =
    options.fakeInstance ??
    (await HubSpotFake.start({ uniqueProperties: { p_sales_grid: ['gridsync_grid_id'] }, ...options.fake }));
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'gridsync-e2e-'));
  writeTenantMapping(dir, fake.url, options.mapping);
  const { retry, secrets, ...launch } = options;
  const launched = await launchGridsync({
    tenant: TENANT,
    dir,
    crmSecrets: ACME_CRM_SECRETS,
    crmRetry: { maxAttempts: 3, baseMs: 20, capMs: 200, maxWaitMs: 2_000, attemptTimeoutMs: 5_000, ...retry },
    ...(secrets === undefined ? {} : { secrets }),
    ...launch,
  });
  return {
    ...launched,
    fake,
    async close() {
      await launched.gridsync.close();
      if (!options.fakeInstance) await fake.close();
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type LaunchedGridsync = Omit<Harness, 'fake' | 'close'>;

export interface LaunchOptions extends Pick<
  HarnessOptions,
  'secrets' | 'startWorker' | 'store' | 'dbPath' | 'env' | 'schemaWatch' | 'logger'
> {
  tenant: string;
  dir: string;
  /** The tenant's CRM secrets, by environment variable name. */
  crmSecrets: Record<string, string>;
  crmRetry: Partial<RetryPolicy>;
  runner?: HarnessOptions['runner'] & { coalesceMs?: number };
}

/**
 * gridsync as `gridsync serve` composes it, for one tenant whose mapping is already in `dir/mappings` (its
 * crm.baseUrl pointing at a stand-in): the CRM-specific harnesses (HubSpot here, Salesforce in
 * salesforce-harness.ts) bring the credentials the mapping names and the retry timings.
 */
export async function launchGridsync(options: LaunchOptions): Promise<LaunchedGridsync> {
  const { tenant, dir } = options;
  const dbPath = options.dbPath ?? join(dir, 'gridsync.db');
  const secret = process.env['E2E_SECRET'] ?? randomWebhookSecret();
  const statusToken = 'e2e-status-token';
  const prefix = tenant.toUpperCase().replaceAll('-', '_');
  const values: Record<string, string> = {
    [`${prefix}_WEBHOOK_SECRET`]: secret,
    [`${prefix}_STATUS_TOKEN`]: statusToken,
    ...options.crmSecrets,
  };
  const live = options.secrets ?? {};
  const secrets: SecretLookup = (ref) => ('env' in ref ? (live[ref.env] ?? values[ref.env]) : undefined);
  const logger = options.logger ?? createLogger({ level: process.env['E2E_LOG_LEVEL'] ?? 'silent' });
  const config = loadConfig(
    {
      PORT: '0',
      HOST: '127.0.0.1',
      GRIDSYNC_DATABASE_URL: dbPath,
      GRIDSYNC_MAPPINGS_DIR: join(dir, 'mappings'),
      LOG_LEVEL: 'silent',
      ...options.env,
    },
    join(dir, 'no.env'),
  );
  const { retrySchedule, idlePollMs, ...runnerRest } = options.runner ?? {};
  const gridsync = await startGridsync({
    config,
    logger,
    secrets,
    crmRetry: options.crmRetry,
    ...(options.startWorker === undefined ? {} : { startWorker: options.startWorker }),
    ...(options.store === undefined ? {} : { store: options.store }),
    ...(options.schemaWatch === undefined ? {} : { schemaWatch: options.schemaWatch }),
    runnerOptions: {
      coalesceMs: 20,
      idlePollMs: idlePollMs ?? 200,
      retrySchedule: retrySchedule ?? { baseMs: 50, capMs: 500 },
      ...runnerRest,
    },
  });
  const base = `${gridsync.url}/v1/tenants/${tenant}`;
  const post = (path: string, body: unknown, webhookId?: string) => {
    const signed = signRequest({ secret, body, ...(webhookId === undefined ? {} : { webhookId }) });
    return fetch(`${base}/${path}`, {
      method: 'POST',
      headers: { ...signed.headers, 'content-type': 'application/json' },
      body: signed.payload,
    });
  };
  return {
    gridsync,
    secret,
    statusToken,
    dir,
    dbPath,
    postGrid: (grid, webhookId) => post('grids', grid, webhookId),
    postSignals: (signals, webhookId) => post('signals', { signals }, webhookId),
    async status(gridId) {
      const response = await fetch(`${base}/grids/${encodeURIComponent(gridId)}`, {
        headers: { authorization: `Bearer ${statusToken}` },
      });
      return (await response.json()) as Record<string, unknown>;
    },
    settle: () => gridsync.runner.drain(),
  };
}

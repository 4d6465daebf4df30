/**
 * Runs the whole of gridsync in-process (intake on a real port, the worker, a temp SQLite store, a mappings
 * folder) against the local HubSpot stand-in, so end-to-end tests exercise the same composition as
 * `gridsync serve`. Only the secrets lookup and the CRM retry timings differ from production.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';

import { loadConfig } from '../../src/config/env.ts';
import type { SecretLookup } from '../../src/config/secrets.ts';
import type { CrmConnector } from '../../src/crm/crm-connection.ts';
import { staticTokenProvider } from '../../src/crm/hubspot/hubspot-auth.ts';
import { createHubSpotClient } from '../../src/crm/hubspot/hubspot-client.ts';
import { createLogger, type Logger } from '../../src/lib/logger.ts';
import { startGridsync, type Gridsync, type StartOptions } from '../../src/main.ts';
import type { Store } from '../../src/store/store.ts';
import { HubSpotFake, type HubSpotFakeOptions } from '../fakes/hubspot-fake-server.ts';
import { randomWebhookSecret, signRequest } from './sign-request.ts';

export const TENANT = 'acme';
export const FAKE_TOKEN = 'test-token';

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
  mapping?: [path: (string | number)[], value: unknown][];
  retry?: {
    maxAttempts?: number;
    baseMs?: number;
    capMs?: number;
    maxWaitMs?: number;
    attemptTimeoutMs?: number;
  };
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
  /** Connects tenants another way than a static token to the stand-in (e.g. OAuth against it). */
  connect?: CrmConnector;
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

export function writeTenantMapping(
  dir: string,
  fakeUrl: string,
  edits: HarnessOptions['mapping'] = [],
): void {
  const doc = parseDocument(readFileSync('mappings/acme.yaml', 'utf8'));
  doc.setIn(['crm', 'baseUrl'], fakeUrl);
  for (const [path, value] of edits) doc.setIn(path, value);
  mkdirSync(join(dir, 'mappings'), { recursive: true });
  writeFileSync(join(dir, 'mappings', 'acme.yaml'), doc.toString());
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const fake =
    options.fakeInstance ??
    (await HubSpotFake.start({ uniqueProperties: { p_sales_grid: ['gridsync_grid_id'] }, ...options.fake }));
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'gridsync-e2e-'));
  writeTenantMapping(dir, fake.url, options.mapping);
  const retry = {
    maxAttempts: 3,
    baseMs: 20,
    capMs: 200,
    maxWaitMs: 2_000,
    attemptTimeoutMs: 5_000,
    ...options.retry,
  };
  const connect: CrmConnector =
    options.connect ??
    ((loaded, log) => ({
      mode: 'live',
      client: createHubSpotClient({
        mapping: loaded.mapping,
        accessToken: staticTokenProvider(FAKE_TOKEN),
        logger: log,
        baseUrl: fake.url,
        retry,
      }),
    }));
  const launched = await launchGridsync({
    tenant: TENANT,
    dir,
    crmSecrets: { ACME_HUBSPOT_TOKEN: FAKE_TOKEN },
    connect,
    ...options,
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

/**
 * gridsync as `gridsync serve` composes it, for one tenant whose mapping is already in `dir/mappings`: the
 * CRM-specific harnesses (HubSpot here, Salesforce in salesforce-harness.ts) bring the connector.
 */
export async function launchGridsync(options: {
  tenant: string;
  dir: string;
  /** The tenant's CRM secrets, by environment variable name. */
  crmSecrets: Record<string, string>;
  connect: CrmConnector;
  runner?: HarnessOptions['runner'] & { coalesceMs?: number };
  startWorker?: boolean;
  store?: Store;
  dbPath?: string;
  /** More environment for loadConfig (e.g. GRIDSYNC_METRICS_TOKEN). */
  env?: Record<string, string>;
  schemaWatch?: StartOptions['schemaWatch'];
  logger?: Logger;
}): Promise<LaunchedGridsync> {
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
  const secrets: SecretLookup = (ref) => ('env' in ref ? values[ref.env] : undefined);
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
    connect: options.connect,
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

/**
 * An intake app on a real temporary SQLite store with the example tenants (mappings/acme.yaml,
 * mappings/globex.yaml) and fresh random secrets, driven through inject(): no port is opened.
 */

import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach } from 'vitest';

import type { SecretLookup } from '../../src/config/secrets.ts';
import { type AcceptedEvent, buildIntakeApp } from '../../src/intake/build-intake-app.ts';
import type { IntakeStorePort } from '../../src/store/store.ts';
import type { Problem } from '../../src/intake/problem.ts';
import type { Logger } from '../../src/lib/logger.ts';
import type { LoadedMapping } from '../../src/mapping/loaded-mapping.ts';
import type { SecretRef } from '../../src/config/secret-ref.ts';
import type { Store } from '../../src/store/store.ts';
import { silentLogger } from '../support/loggers.ts';
import { randomWebhookSecret, signRequest } from '../support/sign-request.ts';
import { exampleMapping } from '../support/sync-context.ts';
import { type TempStore, tempSqliteStore } from '../support/temp-store.ts';

export const TENANTS = ['acme', 'globex'] as const;
export type Tenant = (typeof TENANTS)[number];
export const PUBLIC_URL = 'https://gridsync.test';

/** The example tenants' mappings, loaded as gridsync loads them (test/support/sync-context.ts). */
export { exampleMapping };

function refKey(ref: SecretRef): string {
  return 'env' in ref ? `env:${ref.env}` : `file:${ref.file}`;
}

export interface TenantKeys {
  webhookSecret: string;
  statusToken: string;
}

export interface HarnessOptions {
  now?: () => Date;
  /** Tenants whose webhook secret and status token are left unset (an operator's missing configuration). */
  unconfigured?: Tenant[];
  /** Wraps the real store, e.g. to make it fail. */
  wrapStore?: (store: Store) => IntakeStorePort;
  mappings?: LoadedMapping[];
  /** Another store than a temp SQLite file (e.g. tempPostgresStore). */
  openStore?: () => Promise<TempStore>;
  /** Silent unless a test reads the log. */
  logger?: Logger;
}

export interface PostOptions {
  secret?: string | string[];
  webhookId?: string;
  /** When the sender signed. */
  signedAt?: Date;
  headers?: Record<string, string>;
}

export interface IntakeHarness {
  app: FastifyInstance;
  store: Store;
  keys: Record<Tenant, TenantKeys>;
  accepted: AcceptedEvent[];
  post(
    kind: 'grids' | 'signals',
    tenant: string,
    body: unknown,
    options?: PostOptions,
  ): Promise<LightMyRequestResponse>;
  getStatus(tenant: string, gridId: string, token?: string): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export async function startIntake(options: HarnessOptions = {}): Promise<IntakeHarness> {
  // Mappings first: a mapping that fails to load must not leave a temp store behind.
  const mappings = options.mappings ?? TENANTS.map(exampleMapping);
  const { store, cleanup } = await (options.openStore ?? tempSqliteStore)();
  const keys = {} as Record<Tenant, TenantKeys>;
  const values = new Map<string, string>();
  for (const loaded of mappings) {
    const tenant = loaded.mapping.tenant as Tenant;
    keys[tenant] = { webhookSecret: randomWebhookSecret(), statusToken: `st_${crypto.randomUUID()}` };
    if (options.unconfigured?.includes(tenant)) continue;
    values.set(refKey(loaded.mapping.secrets.webhookSigningSecret), keys[tenant].webhookSecret);
    values.set(refKey(loaded.mapping.secrets.statusToken), keys[tenant].statusToken);
  }
  const secrets: SecretLookup = (ref) => values.get(refKey(ref));
  const byTenant = new Map(mappings.map((loaded) => [loaded.mapping.tenant, loaded]));
  const accepted: AcceptedEvent[] = [];

  const app = buildIntakeApp({
    store: options.wrapStore ? options.wrapStore(store) : store,
    mappings: { get: (tenant) => byTenant.get(tenant), tenants: () => [...byTenant.keys()] },
    secrets,
    logger: options.logger ?? silentLogger(),
    publicUrl: PUBLIC_URL,
    onAccepted: (event) => accepted.push(event),
    ...(options.now ? { now: options.now } : {}),
  });
  await app.ready();

  return {
    app,
    store,
    keys,
    accepted,
    post(kind, tenant, body, post = {}) {
      const signed = signRequest({
        secret: post.secret ?? keys[tenant as Tenant].webhookSecret,
        body,
        ...(post.webhookId === undefined ? {} : { webhookId: post.webhookId }),
        ...(post.signedAt === undefined ? {} : { now: post.signedAt }),
      });
      return app.inject({
        method: 'POST',
        url: `/v1/tenants/${tenant}/${kind}`,
        headers: { ...signed.headers, ...post.headers },
        payload: signed.payload,
      });
    },
    getStatus(tenant, gridId, token) {
      return app.inject({
        method: 'GET',
        url: `/v1/tenants/${tenant}/grids/${encodeURIComponent(gridId)}`,
        headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
      });
    },
    async close() {
      await app.close();
      await cleanup();
    },
  };
}

/**
 * A fresh intake for each test of the calling file: started before each test, closed after it. The handle
 * answers for the current test's intake; a file's own beforeEach hooks, registered after this call, run after
 * the intake has started.
 */
export function intakePerTest(options: HarnessOptions = {}): IntakeHarness {
  let current: IntakeHarness | undefined;
  beforeEach(async () => {
    current = await startIntake(options);
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  const running = (): IntakeHarness => {
    if (current === undefined) throw new Error('the intake runs only while a test does');
    return current;
  };
  return {
    get app() {
      return running().app;
    },
    get store() {
      return running().store;
    },
    get keys() {
      return running().keys;
    },
    get accepted() {
      return running().accepted;
    },
    post: (...args) => running().post(...args),
    getStatus: (...args) => running().getStatus(...args),
    close: () => running().close(),
  };
}

/** The intake's store methods bound to a real store, for tests that replace one of them. */
export function storePort(store: Store): IntakeStorePort {
  return {
    acceptGrid: store.acceptGrid.bind(store),
    acceptSignals: store.acceptSignals.bind(store),
    getGrid: store.getGrid.bind(store),
    getGridSyncState: store.getGridSyncState.bind(store),
    getAccountState: store.getAccountState.bind(store),
    getTaskEntry: store.getTaskEntry.bind(store),
    getJobs: store.getJobs.bind(store),
    ping: store.ping.bind(store),
  };
}

/** The JSON pointers of a validation problem, sorted, to compare with an expected list. */
export function pointers(response: LightMyRequestResponse): string[] {
  return (
    response
      .json<Problem>()
      .errors?.map((error) => error.pointer)
      .sort() ?? []
  );
}

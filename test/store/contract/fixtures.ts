/** Builders and per-test store handling shared by the store contract parts (test/contract/store.contract.ts). */
import { afterEach, beforeEach } from 'vitest';
import type { GridCompleteness } from '../../../src/domain/grid-completeness.ts';
import type { SalesGrid } from '../../../src/domain/sales-grid.ts';
import type { Signal } from '../../../src/domain/signal.ts';
import { openStore } from '../../../src/store/open-store.ts';
import type {
  AcceptGrid,
  AcceptSignals,
  DeliveryAnswer,
  GridAcceptance,
  SignalsAcceptance,
  Store,
} from '../../../src/store/store.ts';
import { ledgerlineGrid } from '../../support/example-payloads.ts';
import type { TempStore } from '../../support/temp-store.ts';

/** A fresh, empty, migrated store; `label` names it (e.g. the PostgreSQL schema) after the test. */
export type StoreFactory = (label: string) => Promise<TempStore>;

export interface StoreUnderTest {
  readonly store: Store;
  /** Another connection to the same database: a second replica, or the process after a restart. */
  openAgain(): Promise<Store>;
}

/** Gives every test its own store, and closes whatever the test opened on it before removing it. */
export function useStore(factory: StoreFactory): StoreUnderTest {
  let temp: TempStore | undefined;
  const opened: Store[] = [];
  beforeEach(async (context) => {
    temp = await factory(context.task.name);
  });
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    await temp?.cleanup();
    temp = undefined;
  });
  const current = (): TempStore => {
    if (!temp) throw new Error('the store is only available inside a test');
    return temp;
  };
  return {
    get store() {
      return current().store;
    },
    async openAgain() {
      const { url, schema } = current();
      const store = await openStore(url, schema === undefined ? {} : { schema });
      opened.push(store);
      return store;
    },
  };
}

export const COMPLETE: GridCompleteness = { complete: true, gaps: [] };
export const INCOMPLETE: GridCompleteness = {
  complete: false,
  gaps: [
    {
      section: 'beforeScenario',
      title: 'Before Scenario',
      problem: 'missing',
      reason: 'Before Scenario is missing.',
    },
  ],
};

/** The Ledgerline grid (test/support/example-payloads.ts) under the id the contract tests use. */
export function makeGrid(overrides: Partial<SalesGrid> = {}): SalesGrid {
  return ledgerlineGrid({ gridId: 'grid-ledgerline-maya', ...overrides });
}

/** An answer builder that counts its calls: `answered()` is how often the store built the answer. */
function countedAnswer<R>(build: (result: R) => DeliveryAnswer): {
  answer: (result: R) => DeliveryAnswer;
  answered: () => number;
} {
  let answered = 0;
  return {
    answer: (result) => {
      answered += 1;
      return build(result);
    },
    answered: () => answered,
  };
}

/** A grid delivery whose answer echoes the acceptance, and counts how often the answer was built. */
export function gridDelivery(
  tenant: string,
  webhookId: string,
  grid: SalesGrid,
  completeness: GridCompleteness = COMPLETE,
): AcceptGrid & { answered: () => number } {
  return {
    tenant,
    webhookId,
    grid,
    completeness,
    receivedAt: new Date(),
    ...countedAnswer<GridAcceptance>((result) => ({
      status: 202,
      body: { ...result, complete: completeness.complete, webhookId },
    })),
  };
}

export function makeSignal(
  id: string,
  domain: string,
  occurredAt: string,
  extra: Partial<Signal> = {},
): Signal {
  return { id, type: 'product.active_day', account: { domain }, occurredAt, ...extra };
}

export function signalsDelivery(
  tenant: string,
  webhookId: string,
  signals: Signal[],
): AcceptSignals & { answered: () => number } {
  return {
    tenant,
    webhookId,
    signals,
    receivedAt: new Date(),
    ...countedAnswer<SignalsAcceptance>((result) => ({ status: 202, body: result })),
  };
}

export function secondsFrom(base: Date, seconds: number): Date {
  return new Date(base.getTime() + seconds * 1_000);
}

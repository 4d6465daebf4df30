/**
 * The HubSpot stand-in in its own thread, so the load a bench generates cannot delay it (and its work does not
 * show in the server's profile). The accounts the bench uses exist as companies with a contact, a deal and an
 * owner, so a live tenant's worker can sync every grid and create its AE task.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

import { HubSpotFake } from '../../test/fakes/hubspot-fake-server.ts';
import { nextMessage } from './serve-process.ts';

export interface StandInCounts {
  records: number;
  tasks: number;
  qualified: number;
  calls: number;
  limited: number;
}

export interface HubSpotThread {
  url: string;
  /** The deal id of each account, in account order. */
  deals: string[];
  counts(): Promise<StandInCounts>;
  close(): Promise<void>;
}

interface ThreadData {
  role: 'hubspot-stand-in';
  accounts: number;
}

export const benchDomain = (i: number): string => `account${i}.example`;

/** Limits high enough that the tenant's own budget (its mapping), not the stand-in, sets the worker's pace. */
export async function startHubSpotThread(accounts: number): Promise<HubSpotThread> {
  const data: ThreadData = { role: 'hubspot-stand-in', accounts };
  const thread = new Worker(new URL(import.meta.url), { workerData: data });
  const { url, deals } = await nextMessage<{ url: string; deals: string[] }>(thread);
  return {
    url,
    deals,
    counts() {
      thread.postMessage('counts');
      return nextMessage<StandInCounts>(thread);
    },
    async close() {
      thread.postMessage('close');
      await nextMessage(thread);
      await thread.terminate();
    },
  };
}

async function serveStandIn({ accounts }: ThreadData): Promise<void> {
  const fake = await HubSpotFake.start({
    requestsPerWindow: 100_000,
    searchPerSecond: 10_000,
    uniqueProperties: { p_sales_grid: ['gridsync_grid_id'] },
    recordBodies: false,
  });
  fake.addOwner({ id: '500', archived: false, email: 'ae@vendor.example' });
  fake.addOwner({ id: '81234567', archived: false, email: 'sales-lead@vendor.example' });
  const deals: string[] = [];
  for (let i = 0; i < accounts; i++) {
    fake.addRecord('companies', {
      domain: benchDomain(i),
      name: `Account ${i}`,
      numberofemployees: '300',
      industry: 'FINANCIAL_SERVICES',
      country: 'United States',
      hubspot_owner_id: '500',
    });
    fake.addRecord('contacts', { email: `dev@${benchDomain(i)}` });
    deals.push(fake.addRecord('deals', { dealname: `Deal ${i}`, hubspot_owner_id: '500' }));
  }
  parentPort!.postMessage({ url: fake.url, deals });
  parentPort!.on('message', (message: string) => {
    if (message === 'close') {
      void fake.close().then(() => parentPort!.postMessage('closed'));
      return;
    }
    const counts: StandInCounts = {
      records: fake.store.records('p_sales_grid').length,
      tasks: fake.store.records('tasks').length,
      qualified: fake.store
        .records('companies')
        .filter((c) => c.properties['gridsync_pqa_status'] === 'Qualified').length,
      calls: fake.requests.length,
      limited: fake.requests.filter((r) => r.status === 429).length,
    };
    parentPort!.postMessage(counts);
  });
}

const data = workerData as Partial<ThreadData> | undefined;
if (!isMainThread && data?.role === 'hubspot-stand-in') await serveStandIn(data as ThreadData);

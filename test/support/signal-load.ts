/**
 * Signals posted to a running `gridsync serve` over HTTP, and the questions asked of it afterwards: has every
 * account been evaluated over all of its signals, and how much memory did the server take at its peak.
 * bench/memory-serve.ts and test/e2e/memory-bound.test.ts.
 */
import { readFileSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';

import { signedWebhookHeaders } from '../../src/intake/sign-webhook.ts';
import { accountOf, makeSignals, SIGNAL_BATCH, signalDomain } from './spread-signals.ts';

export interface SignalLoad {
  url: string;
  tenant: string;
  secret: string;
  total: number;
  accounts: number;
  /** Batches in flight at once. */
  connections: number;
  now: Date;
}

/** Posts `total` signals in signed batches of 1,000; throws on any answer but 202. */
export async function postSignalBatches(load: SignalLoad): Promise<void> {
  let next = 0;
  const poster = async (): Promise<void> => {
    for (let first = next; first < load.total; first = next) {
      next += SIGNAL_BATCH;
      const count = Math.min(SIGNAL_BATCH, load.total - first);
      const body = JSON.stringify({ signals: makeSignals(first, count, load.accounts, load.now) });
      const response = await fetch(`${load.url}/v1/tenants/${load.tenant}/signals`, {
        method: 'POST',
        headers: {
          ...signedWebhookHeaders({ secrets: load.secret, body }),
          'content-type': 'application/json',
        },
        body,
      });
      if (response.status !== 202) {
        throw new Error(`batch ${first}: ${response.status} ${await response.text()}`);
      }
      await response.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: load.connections }, poster));
}

/** Signals per account domain, as makeSignals spreads them (all within the acme rule's 30-day window). */
export function expectedSignalCounts(total: number, accounts: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < total; i++) {
    const domain = signalDomain(accountOf(i, accounts));
    counts.set(domain, (counts.get(domain) ?? 0) + 1);
  }
  return counts;
}

/**
 * Once no job waits or runs and every account's stored state counts all of its signals: how many
 * account.refresh jobs ran; before that, 0. Read from the server's SQLite file, as `gridsync` commands do.
 */
export function settledRefreshJobs(file: string, tenant: string, expected: Map<string, number>): number {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const open = db.prepare(`SELECT count(*) AS n FROM jobs WHERE state IN ('pending', 'running')`).get() as {
      n: number;
    };
    if (open.n > 0) return 0;
    const states = db
      .prepare(
        `SELECT account_domain AS domain, json_extract(doc, '$.signalCount') AS count FROM account_state
         WHERE tenant = ?`,
      )
      .all(tenant) as { domain: string; count: number }[];
    const counted = new Map(states.map((s) => [s.domain, s.count]));
    for (const [domain, count] of expected) if (counted.get(domain) !== count) return 0;
    const done = db
      .prepare(`SELECT count(*) AS n FROM jobs WHERE kind = 'account.refresh' AND state = 'succeeded'`)
      .get() as { n: number };
    return done.n;
  } finally {
    db.close();
  }
}

/** The process's peak resident memory so far (VmHWM), in MB. Linux only. */
export function peakRssMb(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return Number(kb) / 1024;
}

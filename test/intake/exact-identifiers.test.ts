/**
 * What is acknowledged is stored exactly as sent, and what no store can keep exactly is refused, naming the
 * field: on SQLite, and on PostgreSQL when GRIDSYNC_TEST_DATABASE_URL is set.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { CONTRACT_LIMITS } from '../../src/domain/contract-limits.ts';
import type { Problem } from '../../src/intake/problem.ts';
import { tempPostgresStore, tempSqliteStore, testDatabaseUrl } from '../support/temp-store.ts';
import { ledgerlineGrid, ledgerlineSignals } from '../support/example-payloads.ts';
import { type IntakeHarness, pointers, startIntake } from './intake-harness.ts';

let intake: IntakeHarness | undefined;
afterEach(async () => {
  await intake?.close();
  intake = undefined;
});

const DOMAIN = 'ledgerline.example';

function signal(id: string) {
  return { ...ledgerlineSignals(1)[0], id, account: { domain: DOMAIN } };
}

describe.each([
  { name: 'SQLite', openStore: tempSqliteStore, skip: false },
  {
    name: 'PostgreSQL',
    openStore: () => tempPostgresStore('exact_ids'),
    skip: testDatabaseUrl() === undefined,
  },
])('identifiers and text on $name', ({ openStore, skip }) => {
  const start = async () => (intake = await startIntake({ openStore }));

  it.skipIf(skip)(
    'refuses ids holding NUL or a lone surrogate, naming each field, and stores nothing',
    async () => {
      const harness = await start();
      // Sent as escapes, the only way JSON can carry them; both would become "sig-\uFFFD" (or fail) in a store.
      const body = JSON.stringify({ signals: [signal('sig-A'), signal('sig-B'), signal('sig-C')] })
        .replace('sig-A', 'sig-\\ud800')
        .replace('sig-B', 'sig-\\udc00')
        .replace('sig-C', 'sig-\\u0000');
      const response = await harness.post('signals', 'acme', body);

      expect(response.statusCode).toBe(400);
      expect(response.json<Problem>().code).toBe('payload_invalid');
      expect(pointers(response)).toEqual(['/signals/0/id', '/signals/1/id', '/signals/2/id']);
      expect(
        response
          .json<Problem>()
          .errors?.map((e) => e.message)
          .join(' '),
      ).toMatch(/U\+0000.*|surrogate/);
      expect(await harness.store.listAccountSignals('acme', DOMAIN, new Date(0))).toEqual([]);
    },
  );

  it.skipIf(skip)('refuses NUL in grid text and in a key, too', async () => {
    const harness = await start();
    const body = JSON.stringify(ledgerlineGrid({ context: { event: 'API World', 'k-A': 'v' } }))
      .replace('API World', 'API\\u0000World')
      .replace('k-A', 'k\\u0000A');
    const response = await harness.post('grids', 'acme', body);
    expect(response.statusCode).toBe(400);
    expect(pointers(response)).toEqual(['/context/event', '/context/k\u0000A']);
  });

  it.skipIf(skip)('refuses a body that is not UTF-8 instead of decoding it lossily', async () => {
    const harness = await start();
    const json = Buffer.from(JSON.stringify({ signals: [signal('sig-X')] }));
    const body = Buffer.concat([
      json.subarray(0, json.indexOf('X')),
      Buffer.from([0xff]),
      json.subarray(json.indexOf('X') + 1),
    ]);
    const response = await harness.post('signals', 'acme', body);
    expect(response.statusCode).toBe(400);
    expect(response.json<Problem>()).toMatchObject({ code: 'json_malformed' });
    expect(response.json<Problem>().detail).toContain('not valid UTF-8');
  });

  it.skipIf(skip)(
    'keeps ids that differ only in normalisation or invisible characters apart, byte for byte',
    async () => {
      const harness = await start();
      const ids = [
        'caf\u00e9',
        'cafe\u0301',
        'a\u200db',
        'ab',
        'x\ufeffy',
        '\u{1F469}\u200d\u{1F4BB}',
        'tab\there',
        'line\u2028sep',
        'non\uffffchar',
      ];
      const sent = ids.map(signal);
      // Half of them with every non-ASCII character escaped: the escaped and the raw paths must store the same.
      const raw = JSON.stringify({ signals: sent.slice(0, 5) });
      const escaped = JSON.stringify({ signals: sent.slice(5) }).replace(
        /[^\x20-\x7e]/g,
        (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
      );
      for (const body of [raw, escaped]) {
        expect((await harness.post('signals', 'acme', body)).statusCode).toBe(202);
      }

      const stored = await harness.store.listAccountSignals('acme', DOMAIN, new Date(0));
      expect(stored.map((s) => Buffer.from(s.id).toString('hex')).sort()).toEqual(
        ids.map((id) => Buffer.from(id).toString('hex')).sort(),
      );
      expect(new Map(stored.map((s) => [s.id, s]))).toEqual(new Map(sent.map((s) => [s.id, s])));
    },
  );

  it.skipIf(skip)(
    `reads a grid id of ${CONTRACT_LIMITS.gridIdLength} characters back at its status URL; one longer is 414`,
    async () => {
      const harness = await start();
      // ":" is percent-encoded in the status URL, so the path segment is longer than the id itself.
      const gridId = 'g:'.repeat(CONTRACT_LIMITS.gridIdLength / 2);
      const posted = await harness.post('grids', 'acme', ledgerlineGrid({ gridId }));
      expect(posted.statusCode).toBe(202);
      const location = new URL(String(posted.headers['location']));

      const status = await harness.app.inject({
        method: 'GET',
        url: location.pathname,
        headers: { authorization: `Bearer ${harness.keys.acme.statusToken}` },
      });
      expect(status.statusCode).toBe(200);
      expect(status.json()).toMatchObject({ gridId });

      const tooLong = await harness.getStatus('acme', `${gridId}x`, harness.keys.acme.statusToken);
      expect(tooLong.statusCode).toBe(414);
      expect(tooLong.json<Problem>().code).toBe('uri_too_long');
    },
  );
});

describe('the status route', () => {
  it('answers grid_unknown for an id no grid can have, without asking the store', async () => {
    const harness = (intake = await startIntake());
    const response = await harness.getStatus('acme', 'a\u0000b', harness.keys.acme.statusToken);
    expect(response.statusCode).toBe(404);
    expect(response.json<Problem>().code).toBe('grid_unknown');
  });
});

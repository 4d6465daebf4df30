/**
 * One line per request at info (src/intake/access-log.ts): an accepted delivery is its "delivery accepted" line,
 * anything else its "request completed" line; debug adds the arrival and the delivery's access line.
 */
import { describe, expect, it } from 'vitest';

import grid from '../fixtures/grids/ledgerline-complete.json' with { type: 'json' };
import { capturingLogger } from '../support/loggers.ts';
import { startIntake } from './intake-harness.ts';

const messages = (lines: Record<string, unknown>[], level: number) =>
  lines.filter((l) => l['level'] === level).map((l) => l['msg']);

describe('the access log', () => {
  it('writes one info line per request', async () => {
    const { logger, lines } = capturingLogger('info');
    const intake = await startIntake({ logger });
    try {
      expect((await intake.post('grids', 'acme', grid)).statusCode).toBe(202);
      expect((await intake.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      expect((await intake.post('grids', 'acme', grid, { secret: 'whsec_d3Jvbmc=' })).statusCode).toBe(401);
    } finally {
      await intake.close();
    }
    expect(messages(lines, 30)).toEqual(['delivery accepted', 'request completed', 'request completed']);
    const [, health, refused] = lines.filter((l) => l['level'] === 30);
    expect(health).toMatchObject({ req: { method: 'GET', url: '/healthz' }, res: { statusCode: 200 } });
    expect(refused).toMatchObject({
      req: { method: 'POST', url: '/v1/tenants/acme/grids' },
      res: { statusCode: 401 },
    });
    expect(typeof refused?.['responseTime']).toBe('number');
  });

  it('adds the arrival and the delivery access line at debug', async () => {
    const { logger, lines } = capturingLogger('debug');
    const intake = await startIntake({ logger });
    try {
      expect((await intake.post('grids', 'acme', grid)).statusCode).toBe(202);
    } finally {
      await intake.close();
    }
    const requestLines = lines.filter((l) => l['reqId'] !== undefined).map((l) => [l['level'], l['msg']]);
    expect(requestLines).toEqual([
      [20, 'incoming request'],
      [30, 'delivery accepted'],
      [20, 'request completed'],
    ]);
  });
});

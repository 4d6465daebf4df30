import { describe, expect, it } from 'vitest';

import type { Job } from '../store/job.ts';
import { ArrivalLinger } from './arrival-linger.ts';

const linger = () =>
  new ArrivalLinger({ quietMs: 150, maxMs: 1_000, batchSizeOf: (t) => (t === 'sf' ? 200 : 100) });
const gridJobs = (tenant: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({ id: String(i), kind: 'grid.sync', tenant }) as unknown as Job);

describe('ArrivalLinger', () => {
  it('claims at once when nothing arrived through this process', () => {
    expect(linger().plan(0)).toEqual({ waitMs: 0 });
  });

  it('waits for a quiet spell after an isolated grid, then claims everything', () => {
    const l = linger();
    l.arrived('hs', 1_000);
    expect(l.plan(1_050)).toEqual({ waitMs: 100 });
    expect(l.plan(1_150)).toEqual({ waitMs: 0 });
  });

  it('keeps waiting while a burst arrives, but never longer than maxMs after its first grid', () => {
    const l = linger();
    for (let t = 0; t < 990; t += 10) l.arrived('hs', t); // 99 grids, 10 ms apart
    expect(l.plan(985)).toEqual({ waitMs: 15 });
    expect(l.plan(1_000)).toEqual({ waitMs: 0 });
  });

  it('claims whole batches as soon as they are full, and lingers again for the tail', () => {
    const l = linger();
    for (let i = 0; i < 250; i += 1) l.arrived('hs', i);
    expect(l.plan(250)).toEqual({ waitMs: 0, limit: 200 });
    l.claimed(gridJobs('hs', 200), 200, 250);
    expect(l.plan(260)).toEqual({ waitMs: 139 }); // the last grid arrived at 249
    expect(l.plan(400)).toEqual({ waitMs: 0 });
    l.claimed(gridJobs('hs', 50), undefined, 400);
    expect(l.plan(401)).toEqual({ waitMs: 0 });
  });

  it("uses each tenant's CRM batch size", () => {
    const l = linger();
    for (let i = 0; i < 199; i += 1) l.arrived('sf', 0);
    expect(l.plan(10)).toEqual({ waitMs: 140 });
    l.arrived('sf', 10);
    expect(l.plan(10)).toEqual({ waitMs: 0, limit: 200 });
  });

  it('forgets its counts when a claim took less than it was allowed (everything due was taken)', () => {
    const l = linger();
    for (let i = 0; i < 120; i += 1) l.arrived('hs', 0);
    l.claimed(gridJobs('hs', 90), 100, 5);
    expect(l.plan(6)).toEqual({ waitMs: 0 });
  });
});

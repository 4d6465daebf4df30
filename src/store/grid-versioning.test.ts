import { describe, expect, it } from 'vitest';
import { capturedAtMs, decideGridVersion, type GridHead, planGridAcceptance } from './grid-versioning.ts';

const head: GridHead = { currentVersion: 2, latestVersion: 3, contentHash: 'h2', capturedAtMs: 1_000 };

describe('decideGridVersion', () => {
  it('makes the first delivery of a grid version 1', () => {
    expect(decideGridVersion(undefined, { contentHash: 'h', capturedAtMs: 0 })).toEqual({
      outcome: 'new_version',
      version: 1,
    });
  });

  it('answers identical content with the current version and stores nothing new', () => {
    expect(decideGridVersion(head, { contentHash: 'h2', capturedAtMs: 1_000 })).toEqual({
      outcome: 'unchanged',
      version: 2,
    });
  });

  it('numbers a later capture after the latest stored version, superseded ones included', () => {
    expect(decideGridVersion(head, { contentHash: 'h4', capturedAtMs: 2_000 })).toEqual({
      outcome: 'new_version',
      version: 4,
    });
  });

  it('treats new content captured at the same instant as a correction that becomes current', () => {
    expect(decideGridVersion(head, { contentHash: 'h4', capturedAtMs: 1_000 }).outcome).toBe('new_version');
  });

  it('keeps an older capture in history without replacing the current version', () => {
    expect(decideGridVersion(head, { contentHash: 'old', capturedAtMs: 999 })).toEqual({
      outcome: 'superseded',
      version: 4,
    });
  });
});

describe('capturedAtMs', () => {
  it('reads ISO timestamps with an offset', () => {
    expect(capturedAtMs('2026-11-20T17:05:00+01:00')).toBe(Date.parse('2026-11-20T16:05:00Z'));
  });

  it('throws on text that is not a date', () => {
    expect(() => capturedAtMs('yesterday')).toThrow(/not a date/);
  });
});

describe('planGridAcceptance', () => {
  const grid = {
    gridId: 'g-1',
    submittedBy: 'devrel@vendor.example',
    capturedAt: '1970-01-01T00:00:02Z',
    account: { domain: 'ledgerline.example' },
  } as const;
  const cmd = {
    tenant: 'acme',
    webhookId: 'w-1',
    grid,
    completeness: { complete: false, gaps: [] },
    receivedAt: new Date(5_000),
    answer: () => ({ status: 202, body: null }),
    maxAttempts: 3,
  };

  it('makes a new version current, adds it to history and enqueues its sync', () => {
    const plan = planGridAcceptance(head, cmd);
    expect(plan.result).toEqual({ gridId: 'g-1', outcome: 'new_version', version: 4 });
    expect(plan.head).toMatchObject({ kind: 'current', version: 4, accountDomain: 'ledgerline.example' });
    expect(plan.version).toMatchObject({ version: 4, outcome: 'new_version', capturedAtMs: 2_000 });
    expect(plan.jobs).toEqual([
      {
        kind: 'grid.sync',
        tenant: 'acme',
        payload: { gridId: 'g-1' },
        key: 'grid.sync:acme:g-1',
        runAt: new Date(5_000),
        maxAttempts: 3,
      },
    ]);
  });

  it('keeps a superseded version in history only, with nothing to sync', () => {
    const plan = planGridAcceptance(head, {
      ...cmd,
      grid: { ...grid, capturedAt: '1970-01-01T00:00:00.5Z' },
    });
    expect(plan.head).toEqual({ kind: 'latest', version: 4 });
    expect(plan.version).toMatchObject({ version: 4, outcome: 'superseded' });
    expect(plan.jobs).toEqual([]);
  });

  it('stores nothing for unchanged content but still enqueues the sync', () => {
    const first = planGridAcceptance(undefined, cmd);
    const again = planGridAcceptance(
      { currentVersion: 1, latestVersion: 1, contentHash: first.version!.contentHash, capturedAtMs: 2_000 },
      cmd,
    );
    expect(again).toMatchObject({
      result: { outcome: 'unchanged', version: 1 },
      head: undefined,
      version: undefined,
    });
    expect(again.jobs).toHaveLength(1);
  });
});

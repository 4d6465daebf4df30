import { describe, expect, it } from 'vitest';
import { capturedAtMs, decideGridVersion, type GridHead } from './grid-versioning.ts';

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

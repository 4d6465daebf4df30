import { describe, expect, it } from 'vitest';
import { describeStoreLocation, parseStoreUrl } from './open-store.ts';

describe('parseStoreUrl', () => {
  it('opens PostgreSQL for postgres:// and postgresql:// URLs', () => {
    expect(parseStoreUrl('postgres://u@db:5432/gridsync')).toEqual({
      kind: 'postgres',
      url: 'postgres://u@db:5432/gridsync',
    });
    expect(parseStoreUrl('postgresql://u@db/gridsync').kind).toBe('postgres');
  });

  it('treats paths, sqlite: URLs and file: URLs as SQLite files', () => {
    expect(parseStoreUrl('./data/gridsync.db')).toEqual({ kind: 'sqlite', path: './data/gridsync.db' });
    expect(parseStoreUrl('sqlite:./data/x.db')).toEqual({ kind: 'sqlite', path: './data/x.db' });
    expect(parseStoreUrl('sqlite:///var/lib/gridsync.db')).toEqual({
      kind: 'sqlite',
      path: '/var/lib/gridsync.db',
    });
    expect(parseStoreUrl('file:///var/lib/gridsync.db')).toEqual({
      kind: 'sqlite',
      path: '/var/lib/gridsync.db',
    });
    expect(parseStoreUrl(':memory:')).toEqual({ kind: 'sqlite', path: ':memory:' });
  });

  it('refuses a URL that names nothing', () => {
    expect(() => parseStoreUrl('  ')).toThrow(/empty/);
    expect(() => parseStoreUrl('sqlite:')).toThrow(/names no SQLite file/);
  });
});

describe('describeStoreLocation', () => {
  it('never shows a password', () => {
    const text = describeStoreLocation(parseStoreUrl('postgres://gridsync:s3cret@db.internal:5432/gridsync'));
    expect(text).toBe('PostgreSQL db.internal:5432/gridsync');
  });
});

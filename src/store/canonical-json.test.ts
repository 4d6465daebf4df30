import { describe, expect, it } from 'vitest';
import { canonicalJson, contentHash } from './canonical-json.ts';

describe('canonicalJson', () => {
  it('sorts object keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: [{ f: 1, e: 2 }] } })).toBe(
      '{"a":{"c":[{"e":2,"f":1}],"d":2},"b":1}',
    );
  });

  it('drops undefined properties like JSON.stringify', () => {
    expect(canonicalJson({ a: undefined, b: null })).toBe('{"b":null}');
  });

  it('keeps array order, because order is content there', () => {
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]));
  });

  it('refuses a value JSON cannot represent', () => {
    expect(() => canonicalJson(undefined)).toThrow(/no JSON representation/);
  });
});

describe('contentHash', () => {
  it('is the same for the same content written in another key order', () => {
    expect(contentHash({ gridId: 'g', account: { name: 'N', domain: 'd.example' } })).toBe(
      contentHash({ account: { domain: 'd.example', name: 'N' }, gridId: 'g' }),
    );
  });

  it('differs when any value differs', () => {
    expect(contentHash({ a: 'x' })).not.toBe(contentHash({ a: 'y' }));
    expect(contentHash({ a: 'x' })).toMatch(/^[0-9a-f]{64}$/);
  });
});

import { describe, expect, it } from 'vitest';

import { parseIcpNumber } from './parse-icp-number.ts';

describe('parseIcpNumber', () => {
  it.each([
    ['1200', 1200],
    ['1,200', 1200],
    ['10,001', 10001],
    ['1_200', 1200],
    [' 12.5 ', 12.5],
    ['2.5k', 2500],
    ['$5M', 5_000_000],
    ['€12 mm', 12_000_000],
    ['1.2bn', 1_200_000_000],
  ])('reads %j as the number %d', (text, n) => {
    expect(parseIcpNumber(text)).toEqual({ low: n, high: n });
  });

  it('reads bands in any dash or "to", lowest end first', () => {
    expect(parseIcpNumber('200-500')).toEqual({ low: 200, high: 500 });
    expect(parseIcpNumber('1,001 – 5,000')).toEqual({ low: 1001, high: 5000 });
    expect(parseIcpNumber('500 to 200')).toEqual({ low: 200, high: 500 });
    expect(parseIcpNumber('$1M-$5M')).toEqual({ low: 1_000_000, high: 5_000_000 });
  });

  it('reads "N+" as a band without an upper end', () => {
    expect(parseIcpNumber('10,001+')).toEqual({ low: 10001, high: Infinity });
  });

  it('passes finite numbers through and refuses what is not a number', () => {
    expect(parseIcpNumber(42)).toEqual({ low: 42, high: 42 });
    expect(parseIcpNumber(Number.NaN)).toBeUndefined();
    expect(parseIcpNumber(true)).toBeUndefined();
    expect(parseIcpNumber('about fifty')).toBeUndefined();
    expect(parseIcpNumber('')).toBeUndefined();
    // A European decimal comma is not guessed at: "1,5" is neither 1.5 nor 15.
    expect(parseIcpNumber('1,5')).toBeUndefined();
    expect(parseIcpNumber('200-')).toBeUndefined();
  });
});

import { expect, it } from 'vitest';

import { fairShares } from './fair-shares.ts';

it('splits a claim equally among tenants with plenty of due work', () => {
  expect(fairShares([1000, 1000, 1000], 9)).toEqual([3, 3, 3]);
  expect(fairShares([1000, 1000, 1000], 10)).toEqual([4, 3, 3]);
});

it('gives what a small tenant leaves over to the others', () => {
  expect(fairShares([1, 1000, 1000], 9)).toEqual([1, 4, 4]);
  expect(fairShares([0, 2, 1000], 500)).toEqual([0, 2, 498]);
});

it('takes everything when less is due than the limit, and nothing from an empty list', () => {
  expect(fairShares([2, 3], 500)).toEqual([2, 3]);
  expect(fairShares([], 10)).toEqual([]);
  expect(fairShares([5, 5], 0)).toEqual([0, 0]);
});

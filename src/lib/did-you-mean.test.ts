import { describe, expect, it } from 'vitest';

import { didYouMean, editDistance } from './did-you-mean.ts';

describe('editDistance', () => {
  it('counts insertions, deletions and substitutions', () => {
    expect(editDistance('fields', 'fields')).toBe(0);
    expect(editDistance('fieldz', 'fields')).toBe(1);
    expect(editDistance('schedul', 'schedule')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('counts two neighbours swapped as one edit', () => {
    expect(editDistance('tepmlate', 'template')).toBe(1);
  });
});

describe('didYouMean', () => {
  const keys = [
    'tenant',
    'crm',
    'secrets',
    'schedule',
    'grid',
    'scoring',
    'halfLifeDays',
    'professional',
    'geo',
  ];

  it('suggests the closest name for a typo', () => {
    expect(didYouMean('schedul', keys)).toBe('schedule');
    expect(didYouMean('secrest', keys)).toBe('secrets');
  });

  it('ignores case, "_" and "-" so snake_case finds camelCase', () => {
    expect(didYouMean('half_life_days', keys)).toBe('halfLifeDays');
    expect(didYouMean('Half-Life-Days', keys)).toBe('halfLifeDays');
  });

  it('completes the start of exactly one name', () => {
    expect(didYouMean('pro', keys)).toBe('professional');
    expect(didYouMean('hi', ['high', 'medium', 'low'])).toBe('high');
  });

  it('recognises a name with extra letters after it', () => {
    expect(didYouMean('geography', keys)).toBe('geo');
  });

  it('suggests nothing when no name is close: a wrong suggestion is worse than none', () => {
    expect(didYouMean('colour', keys)).toBeUndefined();
    expect(didYouMean('', keys)).toBeUndefined();
    expect(didYouMean('s', keys)).toBeUndefined();
  });

  it('does not guess between several names with the same start', () => {
    expect(didYouMean('sc', ['schedule', 'scoring'])).toBeUndefined();
  });
});

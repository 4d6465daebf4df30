import { describe, expect, it } from 'vitest';

import {
  compareMappingErrors,
  formatKeyPath,
  formatMappingError,
  type MappingError,
} from './mapping-errors.ts';

const base: MappingError = {
  code: 'unknown_key',
  file: 'mappings/acme.yaml',
  line: 42,
  column: 7,
  path: 'deal.fields.gridsync_befor',
  message: 'unknown key "gridsync_befor"',
};

describe('formatKeyPath', () => {
  it('joins keys with dots and writes list items as [n]', () => {
    expect(formatKeyPath(['qualification', 'icp', 'criteria', 'geo', 'from', 0, 'crmField'])).toBe(
      'qualification.icp.criteria.geo.from[0].crmField',
    );
  });

  it('quotes keys that are not plain words, such as signal types with dots', () => {
    expect(formatKeyPath(['scoring', 'signals', 'website.pricing_view', 'intent'])).toBe(
      'scoring.signals["website.pricing_view"].intent',
    );
  });

  it('is empty for the whole file', () => {
    expect(formatKeyPath([])).toBe('');
  });
});

describe('formatMappingError', () => {
  it('prints file:line:column, the key path and the message on one line', () => {
    expect(formatMappingError(base)).toBe(
      'mappings/acme.yaml:42:7  deal.fields.gridsync_befor: unknown key "gridsync_befor"',
    );
  });

  it('adds what was expected in parentheses and the hint on an indented line', () => {
    const text = formatMappingError({ ...base, expected: 'one of fields', hint: 'did you mean "fields"?' });
    expect(text.split('\n')).toEqual([
      'mappings/acme.yaml:42:7  deal.fields.gridsync_befor: unknown key "gridsync_befor" (expected one of fields)',
      '    hint: did you mean "fields"?',
    ]);
  });

  it('names only the file when the problem concerns the whole file', () => {
    const text = formatMappingError({
      ...base,
      code: 'file_unreadable',
      line: 0,
      column: 0,
      path: '',
      message: 'file not found',
    });
    expect(text).toBe('mappings/acme.yaml  file not found');
  });
});

describe('compareMappingErrors', () => {
  it('orders by file, then line, then column', () => {
    const errors = [
      { ...base, line: 9, column: 1 },
      { ...base, file: 'mappings/a.yaml', line: 50 },
      { ...base, line: 3, column: 5 },
      { ...base, line: 3, column: 2 },
    ];
    expect(errors.sort(compareMappingErrors).map((e) => `${e.file}:${e.line}:${e.column}`)).toEqual([
      'mappings/a.yaml:50:7',
      'mappings/acme.yaml:3:2',
      'mappings/acme.yaml:3:5',
      'mappings/acme.yaml:9:1',
    ]);
  });
});

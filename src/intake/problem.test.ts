import { describe, expect, it } from 'vitest';

import { salesGridSchema } from '../domain/sales-grid.ts';
import { INTAKE_ERROR_CODES, INTAKE_ERRORS } from './intake-errors.ts';
import { fieldErrors, jsonPointer, problem } from './problem.ts';
import { friendlierIssueMessages } from './send-acceptance.ts';

describe('jsonPointer', () => {
  it('joins path segments and escapes "~" and "/" as RFC 6901 says', () => {
    expect(jsonPointer(['signals', 3, 'occurredAt'])).toBe('/signals/3/occurredAt');
    expect(jsonPointer(['attributes', 'a/b~c'])).toBe('/attributes/a~1b~0c');
    expect(jsonPointer([])).toBe('');
  });
});

describe('fieldErrors', () => {
  it('gives every bad field of a grid its own pointer, unknown keys included', () => {
    const result = salesGridSchema.safeParse(
      {
        gridId: 'grid 1',
        capturedAt: 'yesterday',
        account: { domain: 42 },
        positiveOutcomes: { business: ['x'] },
        colour: 'blue',
      },
      { error: friendlierIssueMessages },
    );
    expect(result.success).toBe(false);
    if (result.success) return;
    const errors = fieldErrors(result.error.issues);
    expect(errors.map((e) => e.pointer).sort()).toEqual(
      [
        '/account/domain',
        '/capturedAt',
        '/colour',
        '/gridId',
        '/positiveOutcomes/business',
        '/submittedBy',
      ].sort(),
    );
    expect(errors.find((e) => e.pointer === '/submittedBy')?.message).toBe('required (string)');
    expect(errors.find((e) => e.pointer === '/colour')?.message).toContain('unknown field');
  });
});

describe('problem', () => {
  it('builds an RFC 9457 body from the catalogue', () => {
    expect(
      problem('signature_invalid', 'no signature matches', { instance: '/v1/tenants/acme/grids' }),
    ).toEqual({
      type: 'tag:gridsync,2026:problem/signature_invalid',
      title: INTAKE_ERRORS.signature_invalid.title,
      status: 401,
      detail: 'no signature matches',
      code: 'signature_invalid',
      instance: '/v1/tenants/acme/grids',
    });
  });

  it('keeps every catalogued status a client or server error', () => {
    for (const code of INTAKE_ERROR_CODES) expect(INTAKE_ERRORS[code].status).toBeGreaterThanOrEqual(400);
  });
});

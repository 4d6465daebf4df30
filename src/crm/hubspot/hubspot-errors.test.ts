import { describe, expect, it } from 'vitest';

import {
  errorFromBatchItem,
  errorFromNetwork,
  errorFromResponse,
  missingProperties,
  parseErrorBody,
} from './hubspot-errors.ts';

const headers = (values: Record<string, string> = {}): Headers => new Headers(values);

describe('missingProperties', () => {
  it('reads the property from the JSON HubSpot embeds in the message', () => {
    const message =
      'Property values were not valid: [{"isValid":false,"message":"Property \\"gridsync_typo\\" does not exist","error":"PROPERTY_DOESNT_EXIST","name":"gridsync_typo"}]';
    expect(missingProperties({ message })).toEqual(['gridsync_typo']);
  });

  it('reads it from errors[] with code PROPERTY_DOESNT_EXIST and a propertyName context', () => {
    const body = parseErrorBody({
      errors: [{ code: 'PROPERTY_DOESNT_EXIST', context: { propertyName: ['a_field'] }, message: 'x' }],
    });
    expect(missingProperties(body)).toEqual(['a_field']);
  });

  it('falls back to the sentence when the message is not JSON', () => {
    expect(
      missingProperties({ message: 'PROPERTY_DOESNT_EXIST: Property "b_field" does not exist [oops' }),
    ).toEqual(['b_field']);
  });

  it('finds nothing in other validation errors', () => {
    expect(
      missingProperties({
        message: 'Property values were not valid: [{"error":"INVALID_OPTION","name":"stage"}]',
      }),
    ).toEqual([]);
  });
});

describe('parseErrorBody', () => {
  it('treats every field as optional and ignores fields of the wrong type', () => {
    expect(parseErrorBody(null)).toEqual({});
    expect(parseErrorBody('<html>')).toEqual({});
    expect(parseErrorBody({ message: 42, correlationId: 'c-1', errors: 'no' })).toEqual({
      correlationId: 'c-1',
    });
  });
});

describe('errorFromResponse', () => {
  it('turns a ten-secondly 429 into rate_limited waiting the window HubSpot reports', () => {
    const error = errorFromResponse(
      429,
      headers({ 'X-HubSpot-RateLimit-Interval-Milliseconds': '10000', 'X-HubSpot-RateLimit-Remaining': '0' }),
      { status: 'error', errorType: 'RATE_LIMIT', policyName: 'TEN_SECONDLY_ROLLING', correlationId: 'abc' },
      'batch upsert',
    );
    expect(error).toMatchObject({
      kind: 'rate_limited',
      waitMs: 10_000,
      status: 429,
      correlationId: 'abc',
      retryable: true,
    });
    expect(error.message).toContain('TEN_SECONDLY_ROLLING');
  });

  it('prefers Retry-After, and gives the DAILY policy a long wait', () => {
    expect(errorFromResponse(429, headers({ 'Retry-After': '3' }), {}, 'x').waitMs).toBe(3_000);
    expect(errorFromResponse(429, headers({ 'Retry-After': '3' }), { policyName: 'DAILY' }, 'x').waitMs).toBe(
      3_600_000,
    );
    expect(errorFromResponse(429, headers(), { policyName: 'SECONDLY' }, 'x').waitMs).toBe(1_000);
  });

  it('asks for at least 2 s after a 423', () => {
    expect(errorFromResponse(423, headers({ 'Retry-After': '1' }), {}, 'x')).toMatchObject({
      kind: 'rate_limited',
      waitMs: 2_000,
    });
  });

  it('classifies 401/403, 404, 5xx and validation errors', () => {
    expect(errorFromResponse(401, headers(), {}, 'x').kind).toBe('auth_failed');
    expect(errorFromResponse(403, headers(), { category: 'MISSING_SCOPES' }, 'x').kind).toBe('auth_failed');
    expect(errorFromResponse(404, headers(), {}, 'x').kind).toBe('not_found');
    expect(
      errorFromResponse(502, headers({ 'Retry-After': '2' }), { message: 'Bad gateway' }, 'x'),
    ).toMatchObject({
      kind: 'unavailable',
      waitMs: 2_000,
    });
    expect(
      errorFromResponse(400, headers(), { category: 'VALIDATION_ERROR', message: 'bad value' }, 'x'),
    ).toMatchObject({
      kind: 'rejected',
      retryable: false,
    });
  });

  it('names the missing property of a whole-batch 400 and says how to fix it', () => {
    const error = errorFromResponse(
      400,
      headers(),
      { errors: [{ code: 'PROPERTY_DOESNT_EXIST', context: { propertyName: ['gx'] } }] },
      'batch upsert of p_grid',
    );
    expect(error).toMatchObject({ kind: 'field_missing', field: 'gx', status: 400 });
    expect(error.message).toBe(
      'HubSpot has no property "gx" on batch upsert of p_grid: add it in HubSpot or fix the mapping',
    );
  });
});

describe('errorFromBatchItem and errorFromNetwork', () => {
  it('names the property of any other validation error, so the status can point at its mapping line', () => {
    const detail = {
      isValid: false,
      message: 'Rejected Summit was not one of the allowed options',
      error: 'INVALID_OPTION',
      name: 'gridsync_event',
    };
    const error = errorFromBatchItem(
      { message: `Property values were not valid: ${JSON.stringify([detail])}`, correlationId: 'c1' },
      'p_grid records',
      400,
    );
    expect(error).toMatchObject({
      kind: 'rejected',
      field: 'gridsync_event',
      status: 400,
      correlationId: 'c1',
    });
    expect(error.message).toBe(
      'HubSpot refused the value of "gridsync_event" on p_grid records: Rejected Summit was not one of the allowed options (INVALID_OPTION)',
    );
  });

  it('reads the property from errors[] context when the message has no JSON', () => {
    const error = errorFromBatchItem(
      {
        errors: [{ code: 'INVALID_INTEGER', message: 'not a number', context: { propertyName: ['amount'] } }],
      },
      'deals',
    );
    expect(error).toMatchObject({ kind: 'rejected', field: 'amount' });
  });

  it('maps OBJECT_NOT_FOUND to not_found', () => {
    expect(errorFromBatchItem({ category: 'OBJECT_NOT_FOUND', message: 'gone' }, 'deals').kind).toBe(
      'not_found',
    );
  });

  it('reports the underlying network reason', () => {
    const thrown = new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:1') });
    const error = errorFromNetwork(thrown, 'owner 5');
    expect(error).toMatchObject({ kind: 'unavailable', retryable: true });
    expect(error.message).toContain('ECONNREFUSED');
  });
});

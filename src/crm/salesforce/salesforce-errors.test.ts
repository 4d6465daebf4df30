import { describe, expect, it } from 'vitest';

import { CrmError } from '../crm-errors.ts';
import { CONCURRENT_LIMIT_WAIT_MS, DAILY_LIMIT_WAIT_MS } from './salesforce-limits.ts';
import { recordErrorsToCrmError, requestErrorToCrmError, tokenErrorToCrmError } from './salesforce-errors.ts';

/** What jsforce throws for an error response: name = errorCode, `data` = Salesforce's body. */
function httpApiError(data: unknown, code: string): Error {
  const error = new Error('from jsforce') as Error & { data: unknown; errorCode: string };
  error.name = code;
  error.errorCode = code;
  error.data = data;
  return error;
}

/** What requestErrorToCrmError makes of the error jsforce throws for an answer `status` with body `data`. */
function fromAnswer(status: number, data: unknown, code = 'X'): CrmError {
  return requestErrorToCrmError(httpApiError(data, code), status, 'call');
}

describe('record-level errors', () => {
  it('reads an unknown column as field_missing naming the field', () => {
    const error = recordErrorsToCrmError(
      [
        {
          statusCode: 'INVALID_FIELD',
          message: "No such column 'Typo__c' on entity 'Sales_Grid__c'",
          fields: [],
        },
      ],
      'refused the Sales_Grid__c record',
    );
    expect(error.kind).toBe('field_missing');
    expect(error.field).toBe('Typo__c');
    expect(error.correlationId).toBe('INVALID_FIELD');
  });

  it('reads other refusals as rejected, keeping the field they name', () => {
    const error = recordErrorsToCrmError(
      [{ statusCode: 'STRING_TOO_LONG', message: 'Before: data value too large', fields: ['Before__c'] }],
      'refused',
    );
    expect(error.kind).toBe('rejected');
    expect(error.field).toBe('Before__c');
  });

  it('reads lock contention as unavailable (retryable)', () => {
    const error = recordErrorsToCrmError(
      [{ statusCode: 'UNABLE_TO_LOCK_ROW', message: 'unable to obtain exclusive access' }],
      'x',
    );
    expect(error.kind).toBe('unavailable');
    expect(error.retryable).toBe(true);
  });

  it('accepts the errorCode spelling too', () => {
    expect(recordErrorsToCrmError([{ errorCode: 'ENTITY_IS_DELETED', message: 'gone' }], 'x').kind).toBe(
      'not_found',
    );
  });
});

describe('request-level errors', () => {
  it('classifies by HTTP status and error code', () => {
    const cases: [number, unknown, string][] = [
      [401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }], 'auth_failed'],
      [403, [{ message: 'insufficient access', errorCode: 'INSUFFICIENT_ACCESS' }], 'auth_failed'],
      [503, { errorCode: 'ERROR_HTTP_503', message: '<html>down</html>' }, 'unavailable'],
      [500, [{ message: 'An unexpected error occurred', errorCode: 'UNKNOWN_EXCEPTION' }], 'unavailable'],
      [
        400,
        [{ message: "sObject type 'Sales_Grid__c' is not supported.", errorCode: 'INVALID_TYPE' }],
        'field_missing',
      ],
      [400, [{ message: 'unexpected token', errorCode: 'MALFORMED_QUERY' }], 'rejected'],
      [404, [{ message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' }], 'not_found'],
    ];
    for (const [status, data, kind] of cases) {
      const error = fromAnswer(status, data);
      expect({ status, kind: error.kind }).toEqual({ status, kind });
      expect(error.status).toBe(status);
    }
  });

  it('names the unknown object of an INVALID_TYPE', () => {
    const error = fromAnswer(
      400,
      [{ message: "sObject type 'Sales_Grid__c' is not supported.", errorCode: 'INVALID_TYPE' }],
      'INVALID_TYPE',
    );
    expect(error.field).toBe('Sales_Grid__c');
  });

  it('waits long for the daily limit and briefly for the concurrent-request limit', () => {
    const daily = fromAnswer(403, [
      { message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' },
    ]);
    expect(daily).toMatchObject({ kind: 'rate_limited', waitMs: DAILY_LIMIT_WAIT_MS });
    const concurrent = fromAnswer(403, [
      { message: 'ConcurrentPerOrgLongTxn Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' },
    ]);
    expect(concurrent).toMatchObject({ kind: 'rate_limited', waitMs: CONCURRENT_LIMIT_WAIT_MS });
  });

  it('reads several errors from jsforce MULTIPLE_API_ERRORS', () => {
    const error = fromAnswer(
      400,
      [
        { message: 'a', errorCode: 'JSON_PARSER_ERROR' },
        { message: "No such column 'B__c' on sobject of type X", errorCode: 'INVALID_FIELD' },
      ],
      'MULTIPLE_API_ERRORS',
    );
    expect(error.kind).toBe('field_missing');
    expect(error.field).toBe('B__c');
  });

  it('reads transport failures without a response', () => {
    const abort = new DOMException('This operation was aborted', 'AbortError');
    expect(requestErrorToCrmError(abort, undefined, 'call').kind).toBe('timeout');
    const reset = new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } });
    expect(requestErrorToCrmError(reset, undefined, 'call').kind).toBe('unavailable');
  });

  it('passes CrmErrors through and throws on what it does not understand', () => {
    const timeout = new CrmError('timeout', 'ours');
    expect(requestErrorToCrmError(timeout, undefined, 'call')).toBe(timeout);
    expect(() => requestErrorToCrmError(new RangeError('bug'), undefined, 'call')).toThrow(
      /unexpected failure/,
    );
  });
});

describe('token endpoint errors', () => {
  function oauthError(name: string, message: string): Error {
    const error = new Error(message);
    error.name = name;
    return error;
  }

  it('reads refused grants as auth_failed and outages as unavailable', () => {
    expect(tokenErrorToCrmError(oauthError('invalid_grant', 'expired access/refresh token')).kind).toBe(
      'auth_failed',
    );
    expect(tokenErrorToCrmError(oauthError('invalid_client_id', 'client identifier invalid')).kind).toBe(
      'auth_failed',
    );
    expect(tokenErrorToCrmError(oauthError('ERROR_HTTP_503', 'down')).kind).toBe('unavailable');
    expect(tokenErrorToCrmError(oauthError('ERROR_HTTP_400', 'bad')).kind).toBe('auth_failed');
  });
});

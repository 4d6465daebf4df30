/**
 * Salesforce and jsforce failures → CrmError. Two shapes reach us:
 * - request level: HTTP status plus jsforce's HttpApiError (name = errorCode, `data` = Salesforce's
 *   `{message, errorCode, fields}` or, for several, an array of them), or a transport error (timeout, reset);
 * - record level, inside a 200 collections answer: `errors: [{statusCode, message, fields}]` (jsforce's type
 *   calls it errorCode; both are read).
 */
import { CrmError } from '../crm-errors.ts';
import { CONCURRENT_LIMIT_WAIT_MS, DAILY_LIMIT_WAIT_MS } from './salesforce-limits.ts';

export interface SalesforceApiError {
  code: string;
  message: string;
  fields: string[];
}

/** Codes that mean "this field is not there (or not writable) for the integration user": fix the mapping. */
const FIELD_CODES = new Set([
  'INVALID_FIELD',
  'INVALID_FIELD_FOR_INSERT_UPDATE',
  'INVALID_FIELD_WHEN_USING_TEMPLATE',
]);
/** The object itself is unknown: the mapping names an object the org (or the user's access) lacks. */
const OBJECT_CODES = new Set(['INVALID_TYPE', 'NOT_FOUND_SOBJECT']);
const NOT_FOUND_CODES = new Set(['NOT_FOUND', 'ENTITY_IS_DELETED']);
/** Transient contention on a parent record (Salesforce's advice: retry). */
export const LOCK_CONTENTION_CODE = 'UNABLE_TO_LOCK_ROW';
const TRANSIENT_CODES = new Set([LOCK_CONTENTION_CODE, 'SERVER_UNAVAILABLE', 'QUERY_TIMEOUT']);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ENOTFOUND',
  'ENETDOWN',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
]);

/** Reads one error object of either shape; undefined when it is not one. */
function readApiError(value: unknown): SalesforceApiError | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const code = record['errorCode'] ?? record['statusCode'];
  const message = record['message'];
  if (typeof code !== 'string' && typeof message !== 'string') return undefined;
  const fields = Array.isArray(record['fields'])
    ? record['fields'].filter((f): f is string => typeof f === 'string')
    : [];
  return {
    code: typeof code === 'string' ? code : 'UNKNOWN',
    message: typeof message === 'string' ? message : '',
    fields,
  };
}

export function readApiErrors(value: unknown): SalesforceApiError[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map(readApiError).filter((e): e is SalesforceApiError => e !== undefined);
}

/** The field an error is about: its `fields`, or the name quoted in "No such column 'X' on entity 'Y'". */
export function fieldOf(error: SalesforceApiError): string | undefined {
  return error.fields[0] ?? /No such column '([^']+)'/i.exec(error.message)?.[1];
}

function objectOf(error: SalesforceApiError): string | undefined {
  return /sObject type '([^']+)'/i.exec(error.message)?.[1];
}

function describe(errors: readonly SalesforceApiError[]): string {
  return errors.map((e) => `${e.message || 'no message'} (${e.code})`).join('; ');
}

/** Classifies Salesforce's own error objects (request or record level) given the HTTP status, when known. */
export function apiErrorsToCrmError(
  errors: readonly SalesforceApiError[],
  context: string,
  status?: number,
  cause?: unknown,
): CrmError {
  const first = errors[0] ?? {
    code: status === undefined ? 'UNKNOWN' : `ERROR_HTTP_${status}`,
    message: '',
    fields: [],
  };
  const message = `Salesforce ${context}: ${describe(errors.length > 0 ? errors : [first])}`;
  const details = { correlationId: first.code, cause, ...(status === undefined ? {} : { status }) };
  const field = errors.map(fieldOf).find((f) => f !== undefined);
  const isFieldError = errors.some((e) => FIELD_CODES.has(e.code) || /No such column/i.test(e.message));

  if (first.code === 'REQUEST_LIMIT_EXCEEDED') {
    const concurrent = /concurrent/i.test(first.message);
    return new CrmError('rate_limited', message, {
      ...details,
      waitMs: concurrent ? CONCURRENT_LIMIT_WAIT_MS : DAILY_LIMIT_WAIT_MS,
    });
  }
  if (status === 401 || first.code === 'INVALID_SESSION_ID') {
    return new CrmError('auth_failed', message, details);
  }
  if (isFieldError) {
    return new CrmError('field_missing', message, { ...details, ...(field === undefined ? {} : { field }) });
  }
  if (errors.some((e) => OBJECT_CODES.has(e.code))) {
    const object = errors.map(objectOf).find((o) => o !== undefined);
    return new CrmError('field_missing', message, {
      ...details,
      ...(object === undefined ? {} : { field: object }),
    });
  }
  if (TRANSIENT_CODES.has(first.code)) return new CrmError('unavailable', message, details);
  if (status === 429) return new CrmError('rate_limited', message, details);
  if (status === 403) return new CrmError('auth_failed', message, details);
  if (status !== undefined && status >= 500) return new CrmError('unavailable', message, details);
  if (status === 404 || NOT_FOUND_CODES.has(first.code)) return new CrmError('not_found', message, details);
  return new CrmError('rejected', message, { ...details, ...(field === undefined ? {} : { field }) });
}

/** Per-record failure inside a collections answer. */
export function recordErrorsToCrmError(errors: unknown, context: string): CrmError {
  return apiErrorsToCrmError(readApiErrors(errors), context);
}

function causeCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * A failed request: `status` is the HTTP status the transport saw, undefined when no response arrived.
 * A CrmError passes through unchanged.
 */
export function requestErrorToCrmError(
  error: unknown,
  status: number | undefined,
  context: string,
): CrmError {
  if (error instanceof CrmError) return error;
  const name = error instanceof Error || error instanceof DOMException ? error.name : '';
  if (status === undefined) {
    if (name === 'AbortError' || name === 'TimeoutError') {
      return new CrmError('timeout', `Salesforce ${context}: no answer before the request timed out`, {
        cause: error,
      });
    }
    const code = causeCode(error);
    if (error instanceof TypeError || code !== undefined) {
      return new CrmError(
        'unavailable',
        `Salesforce ${context}: network error${code === undefined ? '' : ` (${code})`}`,
        { cause: error },
      );
    }
    // Not a response and not a known transport failure: a bug, not a CRM outcome.
    throw new Error(`Salesforce ${context}: unexpected failure`, { cause: error });
  }
  const data = (error as { data?: unknown } | null)?.data;
  const errors = readApiErrors(data);
  if (errors.length === 0 && error instanceof Error) {
    errors.push({
      code: (error as { errorCode?: string }).errorCode ?? `ERROR_HTTP_${status}`,
      message: error.message,
      fields: [],
    });
  }
  return apiErrorsToCrmError(errors, context, status, error);
}

/**
 * The OAuth token endpoint answers `{error, error_description}`; jsforce throws an Error named after `error`
 * (`invalid_grant`, `invalid_client_id`, `inactive_user`…, or `ERROR_HTTP_503` when the body was not JSON).
 * Transport failures (timeout, reset) keep their own kinds.
 */
export function tokenErrorToCrmError(error: unknown): CrmError {
  if (error instanceof CrmError) return error;
  const name = error instanceof Error ? error.name : '';
  const httpStatus = Number(/^ERROR_HTTP_(\d{3})$/.exec(name)?.[1] ?? Number.NaN);
  if (httpStatus >= 500) {
    return new CrmError('unavailable', `Salesforce token endpoint answered ${httpStatus}`, {
      status: httpStatus,
      cause: error,
    });
  }
  if (name === 'rate_limit_exceeded') {
    return new CrmError('rate_limited', 'Salesforce token endpoint: too many token requests', {
      waitMs: CONCURRENT_LIMIT_WAIT_MS,
      cause: error,
    });
  }
  if (httpStatus >= 400 || /^[a-z_]+$/.test(name)) {
    const reason = error instanceof Error && error.message !== '' ? error.message : 'no description';
    return new CrmError(
      'auth_failed',
      `Salesforce refused the credentials (${name}: ${reason}); reconnect the tenant`,
      {
        correlationId: name,
        cause: error,
      },
    );
  }
  return requestErrorToCrmError(error, undefined, 'token request');
}

/**
 * HubSpot answers → CrmError. Every field of HubSpot's error body is treated as optional (bodies differ by
 * endpoint, proxies answer with HTML), and the correlationId is kept for support tickets.
 */
import { CrmError, type CrmErrorKind } from '../crm-errors.ts';
import {
  HUBSPOT_LIMITS,
  HUBSPOT_RATE_LIMIT_HEADERS,
  HUBSPOT_RATE_LIMIT_MESSAGES,
  HUBSPOT_RATE_LIMIT_POLICIES,
  PROPERTY_DOESNT_EXIST,
} from './hubspot-limits.ts';

/** The parts of a HubSpot error we read; `errors[]` entries and batch `errors[]` items share this shape. */
export interface HubSpotErrorBody {
  status?: string;
  message?: string;
  category?: string;
  subCategory?: string;
  correlationId?: string;
  policyName?: string;
  errorType?: string;
  context?: Record<string, unknown>;
  errors?: HubSpotErrorBody[];
  code?: string;
}

/** Reads an unknown JSON value as an error body, keeping only fields of the expected types. */
export function parseErrorBody(raw: unknown): HubSpotErrorBody {
  if (typeof raw !== 'object' || raw === null) return {};
  const record = raw as Record<string, unknown>;
  const body: HubSpotErrorBody = {};
  for (const key of [
    'status',
    'message',
    'category',
    'subCategory',
    'correlationId',
    'policyName',
    'errorType',
    'code',
  ] as const) {
    const value = record[key];
    if (typeof value === 'string') body[key] = value;
  }
  if (typeof record.context === 'object' && record.context !== null) {
    body.context = record.context as Record<string, unknown>;
  }
  if (Array.isArray(record.errors)) body.errors = record.errors.map(parseErrorBody);
  return body;
}

/** One property HubSpot refused a value for, with its code (PROPERTY_DOESNT_EXIST, INVALID_OPTION, …). */
export interface PropertyError {
  name: string;
  code: string | undefined;
  message: string | undefined;
}

/**
 * The properties a validation error names. HubSpot says it in two ways, often both: as JSON inside `message`
 * (`Property values were not valid: [{"isValid":false,"error":"INVALID_OPTION","name":"x","message":…}]`),
 * and in `errors[]` entries with a `code` and the name in `context.propertyName`.
 */
export function propertyErrors(body: HubSpotErrorBody): PropertyError[] {
  const found = new Map<string, PropertyError>();
  const add = (error: PropertyError): void => {
    const known = found.get(error.name);
    found.set(error.name, {
      name: error.name,
      code: known?.code ?? error.code,
      message: known?.message ?? error.message,
    });
  };
  for (const detail of [body, ...(body.errors ?? [])]) {
    for (const name of contextStrings(detail.context, 'propertyName')) {
      add({ name, code: detail.code ?? detail.subCategory, message: detail.message });
    }
    for (const error of errorsInMessage(detail.message)) add(error);
  }
  return [...found.values()];
}

/** The properties a validation error says do not exist on the object. */
export function missingProperties(body: HubSpotErrorBody): string[] {
  return propertyErrors(body)
    .filter((e) => e.code === PROPERTY_DOESNT_EXIST)
    .map((e) => e.name);
}

function errorsInMessage(message: string | undefined): PropertyError[] {
  if (message === undefined) return [];
  const start = message.indexOf('[');
  if (start >= 0) {
    try {
      const items: unknown = JSON.parse(message.slice(start));
      if (Array.isArray(items)) {
        return items.flatMap((item: unknown) => {
          const entry = item as { error?: unknown; name?: unknown; message?: unknown };
          if (typeof entry.name !== 'string') return [];
          const code = typeof entry.error === 'string' ? entry.error : undefined;
          return [
            {
              name: entry.name,
              code,
              message: typeof entry.message === 'string' ? entry.message : undefined,
            },
          ];
        });
      }
    } catch {
      // Not JSON after all: the sentence form below still names a missing property.
    }
  }
  return [...message.matchAll(/Property \\?"([^"\\]+)\\?" does not exist/g)]
    .map((m) => m[1] ?? '')
    .filter(Boolean)
    .map((name) => ({ name, code: PROPERTY_DOESNT_EXIST, message: undefined }));
}

/** String values of a context entry, which HubSpot gives as an array (sometimes as a single string). */
export function contextStrings(context: Record<string, unknown> | undefined, key: string): string[] {
  const value = context?.[key];
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Which of HubSpot's limits a 429 is about. */
export type RateLimitPolicy = 'daily' | 'secondly' | 'rolling' | 'unknown';

/**
 * Recognises a 429's policy from `policyName`, then from the message, then from where it came: the search API's
 * per-second 429 has no policyName, only `category: RATE_LIMITS` and "You have reached your secondly limit.".
 */
export function rateLimitPolicy(body: HubSpotErrorBody, search = false): RateLimitPolicy {
  switch (body.policyName) {
    case HUBSPOT_RATE_LIMIT_POLICIES.daily:
      return 'daily';
    case HUBSPOT_RATE_LIMIT_POLICIES.secondly:
      return 'secondly';
    case HUBSPOT_RATE_LIMIT_POLICIES.rolling:
      return 'rolling';
  }
  const message = body.message ?? '';
  if (HUBSPOT_RATE_LIMIT_MESSAGES.daily.test(message)) return 'daily';
  if (HUBSPOT_RATE_LIMIT_MESSAGES.rolling.test(message)) return 'rolling';
  if (HUBSPOT_RATE_LIMIT_MESSAGES.secondly.test(message)) return 'secondly';
  if (search && body.policyName === undefined) return 'secondly';
  return 'unknown';
}

/**
 * A failed HTTP answer (any status but 2xx and 207) as a CrmError. `search` says the request went to a search
 * endpoint, whose own per-second limit may answer without naming itself.
 */
export function errorFromResponse(
  status: number,
  headers: Headers,
  raw: unknown,
  what: string,
  search = false,
): CrmError {
  const body = parseErrorBody(raw);
  const details = {
    status,
    ...(body.correlationId === undefined ? {} : { correlationId: body.correlationId }),
  };
  const said = body.message === undefined ? '' : `: ${body.message}`;
  if (status === 429) {
    const waitMs = rateLimitWaitMs(headers, rateLimitPolicy(body, search));
    const policy = body.policyName === undefined ? '' : ` (${body.policyName})`;
    return new CrmError('rate_limited', `HubSpot rate limit reached on ${what}${policy}`, {
      ...details,
      waitMs,
    });
  }
  if (status === 423) {
    const waitMs = Math.max(HUBSPOT_LIMITS.lockedMinWaitMs, retryAfterMs(headers) ?? 0);
    return new CrmError('rate_limited', `HubSpot locked the records of ${what} for now${said}`, {
      ...details,
      waitMs,
    });
  }
  if (status === 401 || status === 403) {
    return new CrmError(
      'auth_failed',
      `HubSpot refused the credentials for ${what} (HTTP ${status})${said}`,
      details,
    );
  }
  if (status === 404) return new CrmError('not_found', `HubSpot found nothing for ${what}${said}`, details);
  if (status >= 500 || status === 408) {
    const waitMs = retryAfterMs(headers);
    return new CrmError('unavailable', `HubSpot is unavailable for ${what} (HTTP ${status})${said}`, {
      ...details,
      ...(waitMs === undefined ? {} : { waitMs }),
    });
  }
  return errorFromBatchItem(body, what, status);
}

/**
 * One record's (or one request's) validation failure. An unknown property is field_missing; any other refusal
 * is rejected. Either way `field` names the property when HubSpot does, so the grid's status can point at the
 * mapping line that produced it.
 */
export function errorFromBatchItem(body: HubSpotErrorBody, what: string, status?: number): CrmError {
  const details = {
    ...(status === undefined ? {} : { status }),
    ...(body.correlationId === undefined ? {} : { correlationId: body.correlationId }),
  };
  const properties = propertyErrors(body);
  const missing = properties.filter((e) => e.code === PROPERTY_DOESNT_EXIST);
  const [firstMissing] = missing;
  if (firstMissing !== undefined) {
    const list = missing.map((e) => `"${e.name}"`).join(', ');
    return new CrmError(
      'field_missing',
      `HubSpot has no property ${list} on ${what}: add it in HubSpot or fix the mapping`,
      {
        ...details,
        field: firstMissing.name,
      },
    );
  }
  const kind: CrmErrorKind =
    body.category === 'OBJECT_NOT_FOUND' || status === 404 ? 'not_found' : 'rejected';
  const [property] = properties;
  if (property !== undefined) {
    const reason = [property.message, property.code && `(${property.code})`].filter(Boolean).join(' ');
    return new CrmError(
      kind,
      `HubSpot refused the value of "${property.name}" on ${what}: ${reason || 'invalid value'}`,
      {
        ...details,
        field: property.name,
      },
    );
  }
  const reason = firstMessage(body) ?? `HTTP ${status ?? 'error'}`;
  return new CrmError(kind, `HubSpot rejected ${what}: ${reason}`, details);
}

/** A network failure (refused, reset, DNS) before any answer. */
export function errorFromNetwork(cause: unknown, what: string): CrmError {
  const reason =
    cause instanceof Error
      ? cause.cause instanceof Error
        ? cause.cause.message
        : cause.message
      : String(cause);
  return new CrmError('unavailable', `HubSpot could not be reached for ${what}: ${reason}`, { cause });
}

function firstMessage(body: HubSpotErrorBody): string | undefined {
  return body.errors?.find((e) => e.message !== undefined)?.message ?? body.message;
}

function rateLimitWaitMs(headers: Headers, policy: RateLimitPolicy): number {
  // The transport turns a daily 429 into a pause until the portal's midnight; this is the fallback.
  if (policy === 'daily') return HUBSPOT_LIMITS.dailyLimitUnknownResetWaitMs;
  const retryAfter = retryAfterMs(headers);
  if (retryAfter !== undefined) return retryAfter;
  if (policy === 'secondly') return HUBSPOT_LIMITS.secondlyLimitWaitMs;
  const interval = Number(headers.get(HUBSPOT_RATE_LIMIT_HEADERS.intervalMs));
  return Number.isFinite(interval) && interval > 0 ? interval : HUBSPOT_LIMITS.rollingLimitDefaultWaitMs;
}

/** Retry-After in seconds or as an HTTP date. */
function retryAfterMs(headers: Headers): number | undefined {
  const value = headers.get(HUBSPOT_RATE_LIMIT_HEADERS.retryAfter);
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

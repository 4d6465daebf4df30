/**
 * What can go wrong talking to a CRM, as data. Adapters translate vendor errors into these kinds; the retry
 * decision and the grid status only ever see CrmError.
 */
export type CrmErrorKind =
  | 'rate_limited' // 429 or 423: wait waitMs, then retry
  | 'unavailable' // 5xx, connection reset: retry with backoff
  | 'timeout' // our deadline passed: retry with backoff
  | 'auth_failed' // 401/403 on credentials: the tenant needs reconnecting; retry later, not in a loop
  | 'field_missing' // a property/field the CRM does not have: permanent, fix the mapping
  | 'rejected' // the CRM refused the record (validation, bad value): permanent for that record
  | 'not_found'; // the record named does not exist: permanent

export class CrmError extends Error {
  override readonly name = 'CrmError';
  readonly kind: CrmErrorKind;
  readonly status: number | undefined;
  /** How long the CRM asked us to wait (Retry-After, rate-limit window), when it said. */
  readonly waitMs: number | undefined;
  /** The CRM field the error is about, so the status can name the mapping line that produced it. */
  readonly field: string | undefined;
  /** The vendor's correlation id (HubSpot correlationId, Salesforce errorCode), for support tickets. */
  readonly correlationId: string | undefined;

  constructor(
    kind: CrmErrorKind,
    message: string,
    details: {
      status?: number;
      waitMs?: number;
      field?: string;
      correlationId?: string;
      cause?: unknown;
    } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = kind;
    this.status = details.status;
    this.waitMs = details.waitMs;
    this.field = details.field;
    this.correlationId = details.correlationId;
  }

  get retryable(): boolean {
    return isRetryableKind(this.kind);
  }
}

export function isRetryableKind(kind: CrmErrorKind): boolean {
  return kind === 'rate_limited' || kind === 'unavailable' || kind === 'timeout' || kind === 'auth_failed';
}

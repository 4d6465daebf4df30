/**
 * The intake's error catalogue: a stable code per failure, its HTTP status and a short title. Senders and tests
 * branch on `code`, never on wording; docs/errors.md explains each one and what to do about it.
 */
export const INTAKE_ERRORS = {
  signature_missing: { status: 401, title: 'Webhook signature headers missing' },
  signature_invalid: { status: 401, title: 'Webhook signature does not verify' },
  timestamp_out_of_tolerance: { status: 401, title: 'Webhook timestamp outside the accepted window' },
  status_token_invalid: { status: 401, title: 'Status token missing or wrong' },
  metrics_token_invalid: { status: 401, title: 'Metrics token missing or wrong' },
  json_malformed: { status: 400, title: 'Body is not valid JSON' },
  payload_invalid: { status: 400, title: 'Payload does not match the contract' },
  request_invalid: { status: 400, title: 'Request is malformed' },
  http_malformed: { status: 400, title: 'HTTP message cannot be parsed' },
  url_malformed: { status: 400, title: 'URL is malformed' },
  host_invalid: { status: 400, title: 'Host header missing or repeated' },
  tenant_unknown: { status: 404, title: 'Unknown tenant' },
  grid_unknown: { status: 404, title: 'Unknown grid' },
  route_unknown: { status: 404, title: 'No such endpoint' },
  method_not_allowed: { status: 405, title: 'Method not allowed here' },
  request_timeout: { status: 408, title: 'Request not received in time' },
  payload_too_large: { status: 413, title: 'Body too large' },
  uri_too_long: { status: 414, title: 'Path segment too long' },
  unsupported_media_type: { status: 415, title: 'Unsupported content type' },
  headers_too_large: { status: 431, title: 'Request headers too large' },
  internal: { status: 500, title: 'Internal error' },
  tenant_not_configured: { status: 503, title: 'Tenant not fully configured' },
  store_unavailable: { status: 503, title: 'Store unavailable' },
  mappings_not_loaded: { status: 503, title: 'No tenant mapping loaded' },
} as const satisfies Record<string, { status: number; title: string }>;

export type IntakeErrorCode = keyof typeof INTAKE_ERRORS;

export const INTAKE_ERROR_CODES = Object.keys(INTAKE_ERRORS) as IntakeErrorCode[];

/** RFC 9457 `type`: a tag URI (the RFC's advice for types that are identifiers rather than pages). */
export function problemType(code: IntakeErrorCode): string {
  return `tag:gridsync,2026:problem/${code}`;
}

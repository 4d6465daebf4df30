/**
 * Mapping files live in git and get pasted into chats; credentials must not. Besides the schema's rule
 * (secrets are `{ env }` / `{ file }` references), any text that looks like a credential is an error
 * wherever it is written, e.g. a token pasted into a task template. Messages name the kind, never the value.
 */

interface SecretShape {
  kind: string;
  pattern: RegExp;
}

/** Prefixes with enough characters after them that ordinary prose does not match. */
export const SECRET_SHAPES: readonly SecretShape[] = [
  { kind: 'a webhook signing secret (whsec_…)', pattern: /\bwhsec_[A-Za-z0-9+/=_-]{8,}/ },
  { kind: 'a HubSpot access token (pat-…)', pattern: /\bpat-[a-z]{2,3}\d+-[0-9a-f]{4,}/i },
  { kind: 'a Salesforce session id', pattern: /\b00D[A-Za-z0-9]{12,15}![A-Za-z0-9._]{20,}/ },
  { kind: 'a private key', pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
  { kind: 'a bearer token', pattern: /\bBearer\s+[A-Za-z0-9._~+/-]{16,}/ },
  { kind: 'a JSON Web Token', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/ },
];

/** The kind of credential the text contains, or undefined. */
export function secretKindOf(text: string): string | undefined {
  return SECRET_SHAPES.find((shape) => shape.pattern.test(text))?.kind;
}

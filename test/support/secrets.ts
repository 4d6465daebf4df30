/** Secret lookups for tests: gridsync's SecretLookup answered from a plain table instead of the environment. */
import type { SecretLookup } from '../../src/config/secrets.ts';

/** Resolves `{ env: NAME }` references from `values`; file references and unknown names resolve to nothing. */
export function envSecrets(values: Record<string, string>): SecretLookup {
  return (ref) => ('env' in ref && Object.hasOwn(values, ref.env) ? values[ref.env] : undefined);
}

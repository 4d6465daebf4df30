/**
 * The only place secret values are read. Mapping files hold references ({ env } or { file }); the values live
 * in the environment or in files (Docker/Kubernetes secrets), never in a mapping file or a log.
 */
import { readFileSync } from 'node:fs';

import type { SecretRef } from './secret-ref.ts';

export type SecretLookup = (ref: SecretRef) => string | undefined;

/** Reads a secret; undefined when the variable is unset/empty or the file is missing. */
export function secretFromEnvironment(env: NodeJS.ProcessEnv = process.env): SecretLookup {
  return (ref) => {
    if ('env' in ref) {
      const value = env[ref.env]?.trim();
      return value === undefined || value === '' ? undefined : value;
    }
    try {
      const value = readFileSync(ref.file, 'utf8').trim();
      return value === '' ? undefined : value;
    } catch {
      return undefined;
    }
  };
}

/** How a reference is shown in messages: never the value. */
export function describeSecretRef(ref: SecretRef): string {
  return 'env' in ref ? `environment variable ${ref.env}` : `file ${ref.file}`;
}

/**
 * How configuration names a secret without holding it: an environment variable or a file (Docker/Kubernetes
 * secrets). Mapping files use these references; secrets.ts reads the values they point at.
 */
import { z } from 'zod';

/** Secrets are referenced, never written: an env variable name or a file path. */
export const secretRefSchema = z
  .union([
    z
      .object({
        env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name, e.g. ACME_TOKEN'),
      })
      .strict(),
    z.object({ file: z.string().min(1) }).strict(),
  ])
  .describe('Where the secret lives: { env: NAME } or { file: /run/secrets/name }. Never the value itself.');
export type SecretRef = z.infer<typeof secretRefSchema>;

/**
 * Identifiers that grids and signals share. Accounts are keyed by domain and contacts by email, normalised to
 * lower case here once, so a grid and a signal about the same company always meet.
 */
import { z } from 'zod';

import { CONTRACT_LIMITS } from './contract-limits.ts';

export const accountDomainSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'expected a domain such as "ledgerline.example"');

export const contactEmailSchema = z.email().transform((e) => e.toLowerCase());

/** A tenant id: the mapping file's `tenant` and the `{tenant}` of every URL. */
export const tenantIdSchema = z
  .string()
  .regex(
    new RegExp(`^[a-z0-9][a-z0-9-]{0,${CONTRACT_LIMITS.tenantIdLength - 1}}$`),
    'lower-case letters, digits and "-"',
  );

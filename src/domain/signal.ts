/**
 * Signals: evidence of buying intent from product usage, docs and website activity, community and external
 * events (docs/architecture.md, "Background"). They arrive in batches and are combined per account.
 */
import { z } from 'zod';

import { CONTRACT_LIMITS as LIMITS } from './contract-limits.ts';
import { accountDomainSchema, contactEmailSchema } from './identifiers.ts';

export const SIGNAL_SOURCES = ['product', 'docs', 'website', 'community', 'external'] as const;
export type SignalSource = (typeof SIGNAL_SOURCES)[number];

export const INTENT_LEVELS = ['high', 'medium', 'low'] as const;
export type IntentLevel = (typeof INTENT_LEVELS)[number];

export const signalSchema = z
  .object({
    /** Sender-chosen id; a signal sent twice is stored once. */
    id: z.string().min(1).max(LIMITS.signalIdLength),
    /** Free-form type looked up in the tenant's scoring table, e.g. "product.active_day", "website.pricing_view". */
    type: z
      .string()
      .min(1)
      .max(LIMITS.signalTypeLength)
      .regex(/^[a-z0-9_.-]+$/, 'use lower-case letters, digits, ".", "_" or "-"'),
    account: z
      .object({
        domain: accountDomainSchema,
      })
      .strict(),
    contact: z
      .object({ email: contactEmailSchema, name: z.string().max(LIMITS.nameLength).optional() })
      .strict()
      .optional(),
    occurredAt: z.iso.datetime({ offset: true }),
    value: z.number().finite().optional(),
    attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    source: z.enum(SIGNAL_SOURCES).optional(),
  })
  .strict();

export type Signal = z.infer<typeof signalSchema>;

export const MAX_SIGNALS_PER_BATCH = LIMITS.signalsPerBatch;

export const signalBatchSchema = z
  .object({ signals: z.array(signalSchema).min(1).max(MAX_SIGNALS_PER_BATCH) })
  .strict();

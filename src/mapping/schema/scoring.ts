/**
 * The signal scoring table: signal type → intent level and weight, decay, clusters and account levels.
 */
import { z } from 'zod';

import { INTENT_LEVELS } from '../../domain/signal.ts';

export const SIGNAL_PAGE_KINDS = ['pricing', 'security', 'terms', 'contact', 'docs', 'other'] as const;

const signalRuleSchema = z
  .object({
    intent: z
      .enum(INTENT_LEVELS)
      .describe('How strongly this signal shows buying intent: high, medium or low.'),
    weight: z
      .number()
      .positive()
      .max(100)
      .default(1)
      .describe('Multiplies the points of the intent level (scoring.points).'),
    page: z.enum(SIGNAL_PAGE_KINDS).optional().describe('Counts the signal as a visit to this kind of page.'),
  })
  .strict();

export const scoringSchema = z
  .object({
    halfLifeDays: z
      .number()
      .positive()
      .max(365)
      .default(14)
      .describe('A signal counts half as much after this many days.'),
    windowDays: z
      .number()
      .int()
      .positive()
      .max(365)
      .default(30)
      .describe('Signals older than this are ignored.'),
    points: z
      .object({
        high: z.number().nonnegative().default(10),
        medium: z.number().nonnegative().default(4),
        low: z.number().nonnegative().default(1),
      })
      .strict()
      .default({ high: 10, medium: 4, low: 1 })
      .describe('Points one fresh signal of each intent level adds to the account score, before its weight.'),
    levels: z
      .object({ high: z.number().positive(), medium: z.number().positive() })
      .strict()
      .refine((l) => l.medium < l.high, { message: 'medium must be lower than high', path: ['medium'] })
      .default({ high: 40, medium: 15 })
      .describe('Account score at or above which the account is high or medium intent.'),
    cluster: z
      .object({
        windowHours: z
          .number()
          .positive()
          .max(24 * 30)
          .default(72)
          .describe('How close together signals must be to form a cluster.'),
        minSignals: z
          .number()
          .int()
          .min(2)
          .default(3)
          .describe('Signals needed in the window to count as a cluster.'),
        multiplier: z
          .number()
          .min(1)
          .max(10)
          .default(1.5)
          .describe('Factor applied to the points of clustered signals.'),
      })
      .strict()
      .default({ windowHours: 72, minSignals: 3, multiplier: 1.5 })
      .describe('Several signals close together are stronger evidence than the same signals spread out.'),
    signals: z
      .record(z.string().regex(/^[a-z0-9_.-]+$/), signalRuleSchema)
      .describe('Signal type → intent level and weight.'),
    unknownSignals: z
      .enum(['ignore', 'low'])
      .default('ignore')
      .describe('How to score a signal type missing from the table.'),
  })
  .strict()
  .describe('The signal scoring table: signal type → intent level and weight, decay and account levels.');

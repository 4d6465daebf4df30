/**
 * The AE task template and the grid completeness minimums.
 */
import { z } from 'zod';

import { GRID_SECTIONS } from '../../domain/sales-grid.ts';
import { SOURCE_PATHS } from '../source-paths.ts';
import { templateString } from './common.ts';

export const OWNER_STEPS = ['deal_owner', 'company_owner', 'fallback'] as const;

export const taskSchema = z
  .object({
    subject: templateString([...SOURCE_PATHS]).describe(
      'Task subject; {{grid.*}} and {{account.*}} placeholders.',
    ),
    body: templateString([...SOURCE_PATHS]).describe('Task body; {{grid.*}} and {{account.*}} placeholders.'),
    dueInDays: z
      .number()
      .int()
      .nonnegative()
      .max(90)
      .default(2)
      .describe('Days from creation until the task is due.'),
    priority: z.enum(['high', 'medium', 'low']).default('high').describe('Task priority in the CRM.'),
    owner: z
      .object({
        chain: z
          .array(z.enum(OWNER_STEPS))
          .min(1)
          .default(['deal_owner', 'company_owner', 'fallback'])
          .describe('Who gets the task: the first active owner along this chain.'),
        fallbackOwnerId: z
          .string()
          .min(1)
          .optional()
          .describe('CRM user/owner id used when the chain reaches `fallback`.'),
      })
      .strict()
      .refine((o) => !o.chain.includes('fallback') || o.fallbackOwnerId !== undefined, {
        message: 'the chain ends in fallback: set fallbackOwnerId',
        path: ['fallbackOwnerId'],
      })
      .describe('Owner resolution for the task.'),
  })
  .strict()
  .describe('The one CRM task an AE gets when the grid is complete and the account qualifies.');

export const completenessSchema = z
  .object({
    minWords: z
      .number()
      .int()
      .nonnegative()
      .max(500)
      .default(6)
      .describe('Words a section needs to count as substantive.'),
    sections: z
      .partialRecord(
        z.enum(GRID_SECTIONS),
        z.object({ minWords: z.number().int().nonnegative().max(500) }).strict(),
      )
      .default({})
      .describe('Per-section minimums that override minWords.'),
  })
  .strict();

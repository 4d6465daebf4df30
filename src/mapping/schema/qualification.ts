/**
 * The Product-Qualified Account rule (docs/architecture.md, "Background"): every usage criterion, and at least N ICP criteria.
 */
import { z } from 'zod';

import { identifier } from './common.ts';

const numberRange = {
  min: z.number().optional().describe('Holds when the value (a number) is at least this.'),
  max: z.number().optional().describe('Holds when the value (a number) is at most this.'),
};

const icpSourceSchema = z.union([
  z.object({ crmField: identifier.describe('A company/account field read from the CRM (cached).') }).strict(),
  z
    .object({
      signalAttribute: z
        .string()
        .min(1)
        .describe('The newest signal attribute of this name for the account.'),
    })
    .strict(),
]);

const icpCriterionSchema = z
  .object({
    from: z
      .array(icpSourceSchema)
      .min(1)
      .describe('Where the value comes from; the first source that has one wins.'),
    ...numberRange,
    in: z
      .array(z.string())
      .min(1)
      .optional()
      .describe('Holds when the value (case-insensitive) is one of these.'),
    anyOf: z
      .array(z.string())
      .min(1)
      .optional()
      .describe('Holds when the value, a list separated by ";" or ",", contains one of these.'),
  })
  .strict()
  .refine((c) => c.min !== undefined || c.max !== undefined || c.in !== undefined || c.anyOf !== undefined, {
    message: 'an ICP criterion needs min, max, in or anyOf',
  })
  .refine((c) => c.min === undefined || c.max === undefined || c.min <= c.max, {
    message: 'min is above max: the criterion could never hold',
    path: ['min'],
  });

export const ICP_CRITERIA = ['companySize', 'industry', 'techStack', 'fundingStage', 'geo'] as const;

export const qualificationSchema = z
  .object({
    ruleVersion: z
      .string()
      .min(1)
      .default('1')
      .describe('Recorded with every verdict, so a change of rule shows in the history.'),
    windowDays: z
      .number()
      .int()
      .positive()
      .max(365)
      .default(30)
      .describe('Days of signals the usage criteria look at.'),
    usage: z
      .object({
        activeDays: z
          .object({ min: z.number().int().positive() })
          .strict()
          .optional()
          .describe(
            'Distinct days with product activity ("active for 2+ weeks" = min 14 with a 30-day window is strict; see docs).',
          ),
        activeSpanDays: z
          .object({ min: z.number().int().positive() })
          .strict()
          .optional()
          .describe('Days from the first to the last product signal in the window.'),
        activeUsers: z
          .object({ min: z.number().int().positive() })
          .strict()
          .optional()
          .describe('Distinct contacts with product activity.'),
        coreFeatures: z
          .object({
            features: z.array(z.string().min(1)).min(1).describe('The features that count as core.'),
            min: z
              .number()
              .int()
              .positive()
              .default(1)
              .describe('How many of them the account must have used.'),
            attribute: z
              .string()
              .default('feature')
              .describe('The product signal attribute that names the feature.'),
          })
          .strict()
          .optional()
          .describe('Core features the account used (signal attribute `feature`).'),
        usageThreshold: z
          .object({
            signal: z
              .string()
              .min(1)
              .describe('The signal type whose values are summed, e.g. product.api_calls.'),
            min: z.number().positive().describe('The sum the account must reach within the window.'),
          })
          .strict()
          .optional()
          .describe('Sum of `value` over signals of this type, e.g. API calls.'),
      })
      .strict()
      .refine((u) => Object.keys(u).length > 0, { message: 'name at least one usage criterion' })
      .describe('Usage criteria: every one named here must hold.'),
    icp: z
      .object({
        required: z.number().int().positive().default(3).describe('How many ICP criteria must hold.'),
        criteria: z
          .partialRecord(z.enum(ICP_CRITERIA), icpCriterionSchema)
          .describe('Ideal customer profile criteria: companySize, industry, techStack, fundingStage, geo.'),
      })
      .strict()
      .refine((icp) => Object.keys(icp.criteria).length >= icp.required, {
        message: 'fewer ICP criteria than `required`: the account could never qualify',
        path: ['required'],
      })
      .describe('ICP criteria: at least `required` of them must hold.'),
  })
  .strict()
  .describe('The Product-Qualified Account rule: all usage criteria and at least N ICP criteria.');

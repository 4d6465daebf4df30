/**
 * The grid's deal: the fields written on it, and how gridsync finds it when DevRel does not know its id
 * (`deal.find`), and what happens while the company has none (`deal.whenNone`, `deal.create`).
 */
import { z } from 'zod';

import { GRID_SOURCE_PATHS } from '../source-paths.ts';
import { fieldsSchema } from './fields.ts';
import { identifier, templateString } from './common.ts';

/** Which deal wins when several of the company's deals count. */
export const DEAL_PICKS = [
  'most_recently_created',
  'most_recently_modified',
  'largest_amount',
  'associated_with_contact',
] as const;
export type DealPick = (typeof DEAL_PICKS)[number];

/** A CRM value written by hand (pipeline, stage, record type ids): text, so `'123'` and `123` both work. */
const crmValue = z
  .union([z.string().min(1).max(255), z.number().int().nonnegative()])
  .transform((value) => String(value));

const dealFindSchema = z
  .object({
    pipelines: z
      .array(crmValue)
      .min(1)
      .optional()
      .describe(
        'HubSpot: the pipeline ids whose deals count (`default` is the sales pipeline). Default: all.',
      ),
    stages: z
      .union([z.literal('open'), z.array(crmValue).min(1)])
      .default('open')
      .describe(
        'Which stages count: `open` (every stage that is not closed won or lost), or a list of stage ids (HubSpot dealstage) or names (Salesforce StageName).',
      ),
    recordTypes: z
      .array(identifier)
      .min(1)
      .optional()
      .describe(
        'Salesforce: the Opportunity record types (DeveloperName) whose opportunities count. Default: all.',
      ),
    pick: z
      .enum(DEAL_PICKS)
      .default('most_recently_created')
      .describe(
        "Which deal wins when several count: most_recently_created, most_recently_modified, largest_amount, or associated_with_contact (the grid's contact is on the deal; ties and none: the most recently created).",
      ),
  })
  .strict()
  .describe("Which of the company's deals the grid goes to, when the grid names no deal.crmId.");

const dealCreateSchema = z
  .object({
    pipeline: crmValue
      .optional()
      .describe('HubSpot: the pipeline id the new deal goes into (required on HubSpot).'),
    stage: crmValue.describe('The stage the new deal starts in: HubSpot dealstage id, Salesforce StageName.'),
    recordType: identifier
      .optional()
      .describe(
        "Salesforce: the record type (DeveloperName) of the new Opportunity; default: the user's default.",
      ),
    name: templateString([...GRID_SOURCE_PATHS])
      .default('{{grid.account.name}}: developer conversation')
      .describe("The new deal's name; {{grid.*}} placeholders."),
    closeInDays: z
      .number()
      .int()
      .positive()
      .max(730)
      .default(90)
      .describe('Days from creation until the expected close date (Salesforce requires one).'),
    keyField: identifier.describe(
      'A field on deals that gridsync fills with its own key for the company, so a retry or a restart after a crash finds the deal it created instead of creating a second one. HubSpot: a deal property with unique values; Salesforce: an Opportunity field marked External ID and Unique.',
    ),
  })
  .strict()
  .describe('How gridsync creates a deal for a company that has none (whenNone: create).');

export const dealSchema = z
  .object({
    fields: fieldsSchema.default({}),
    find: dealFindSchema
      .default({ stages: 'open', pick: 'most_recently_created' })
      .describe("Which of the company's deals the grid goes to, when the grid names no deal.crmId."),
    whenNone: z
      .enum(['wait', 'create'])
      .default('wait')
      .describe(
        'No deal counts yet: `wait` (the grid syncs now; its deal fields and link follow on the first scheduled run after one exists) or `create` (gridsync creates one, see `create`).',
      ),
    create: dealCreateSchema.optional(),
  })
  .strict()
  .superRefine((deal, ctx) => {
    if (deal.whenNone === 'create' && deal.create === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['whenNone'],
        message: 'whenNone is create: say how under deal.create (stage, keyField; pipeline on HubSpot)',
      });
    }
  });

export type DealRule = z.infer<typeof dealSchema>;
export type DealFindRule = DealRule['find'];
export type DealCreateRule = NonNullable<DealRule['create']>;

type IssueSink = { addIssue(issue: { code: 'custom'; path: (string | number)[]; message: string }): void };

/** Keys that belong to one CRM only: named on the other one, they would silently do nothing. */
export function checkDealRuleForCrm(deal: DealRule, crm: 'hubspot' | 'salesforce', ctx: IssueSink): void {
  const wrong = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: 'custom', path: ['deal', ...path], message });
  if (crm === 'hubspot') {
    if (deal.find.recordTypes) {
      wrong(['find', 'recordTypes'], "record types are Salesforce's: on HubSpot, choose deals by pipelines");
    }
    if (deal.create?.recordType) {
      wrong(['create', 'recordType'], "record types are Salesforce's: on HubSpot, name a pipeline");
    }
    if (deal.create && deal.create.pipeline === undefined) {
      wrong(['create', 'pipeline'], 'HubSpot needs the pipeline of the deal it creates: name its id');
    }
  } else {
    if (deal.find.pipelines) {
      wrong(['find', 'pipelines'], 'Salesforce has no deal pipelines: choose opportunities by recordTypes');
    }
    if (deal.create?.pipeline !== undefined) {
      wrong(['create', 'pipeline'], 'Salesforce has no deal pipelines: name a recordType instead');
    }
  }
}

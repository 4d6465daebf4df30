/**
 * The tenant mapping file that RevOps edits by hand (mappings/<tenant>.yaml). Every object is strict so an
 * unknown key is an error; descriptions here become the hints in the generated JSON Schema.
 */
import cron from 'node-cron';
import { z } from 'zod';

import { GRID_SECTIONS } from '../domain/sales-grid.ts';
import { INTENT_LEVELS } from '../domain/signal.ts';
import { placeholdersOf, SOURCE_PATHS } from './source-paths.ts';

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

const identifier = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'a CRM API name such as gridsync_before_scenario or Before_Scenario__c');
const sourcePath = z.enum(SOURCE_PATHS);

/** The grid object: a CRM API name, or a HubSpot objectTypeId such as 2-12345. */
const objectName = z
  .string()
  .min(1)
  .max(100)
  .regex(
    /^([A-Za-z][A-Za-z0-9_]*|\d+-\d+)$/,
    'a CRM object name such as p_sales_grid, 2-12345 or Sales_Grid__c',
  );

function templateString(allowed: readonly string[]) {
  return z.string().superRefine((text, ctx) => {
    for (const name of placeholdersOf(text)) {
      if (!allowed.includes(name)) {
        ctx.addIssue({
          code: 'custom',
          message: `unknown placeholder {{${name}}}`,
          params: { placeholder: name },
        });
      }
    }
  });
}

const tooLongPolicy = z
  .enum(['truncate', 'fail'])
  .describe(
    'What to do with text longer than the CRM field: "truncate" cuts it and marks the cut with "…", "fail" refuses the record with an error on the grid status.',
  );

const fieldMappingCommon = {
  maxLength: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('Length of the CRM field; defaults to the CRM limit (HubSpot 65,536, Salesforce 131,072).'),
  onTooLong: tooLongPolicy.optional(),
};

/** One CRM field's value: read from a source path, a constant, or a template; optionally mapped to picklist values. */
export const fieldMappingSchema = z.union([
  z
    .object({
      from: sourcePath.describe('A gridsync value, e.g. grid.beforeScenario or account.intentLevel.'),
      map: z
        .record(z.string(), z.string())
        .optional()
        .describe('Picklist translation: gridsync value → CRM option value.'),
      default: z.string().optional().describe('Written when the value is empty or not in `map`.'),
      ...fieldMappingCommon,
    })
    .strict(),
  z.object({ const: z.union([z.string(), z.number(), z.boolean()]) }).strict(),
  z.object({ template: templateString(SOURCE_PATHS), ...fieldMappingCommon }).strict(),
]);
export type FieldMapping = z.infer<typeof fieldMappingSchema>;

const fieldsSchema = z
  .record(identifier, fieldMappingSchema)
  .describe('CRM field API name → where its value comes from.');

const associationSchema = z
  .object({
    associationTypeId: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('HubSpot: a labelled association type id; omit for the default association.'),
    lookupField: identifier
      .optional()
      .describe('Salesforce: the lookup field on the grid object, e.g. Opportunity__c.'),
  })
  .strict();

const hubspotAuthSchema = z.discriminatedUnion('kind', [
  z
    .object({ kind: z.literal('static_token'), token: secretRefSchema })
    .strict()
    .describe('A service key or private-app token.'),
  z
    .object({
      kind: z.literal('oauth'),
      clientId: secretRefSchema,
      clientSecret: secretRefSchema,
      refreshToken: secretRefSchema,
    })
    .strict(),
]);

const salesforceAuthSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('access_token'), instanceUrl: z.url(), accessToken: secretRefSchema }).strict(),
  z
    .object({
      kind: z.literal('refresh_token'),
      clientId: secretRefSchema,
      clientSecret: secretRefSchema,
      refreshToken: secretRefSchema,
    })
    .strict(),
  z
    .object({
      kind: z.literal('client_credentials'),
      clientId: secretRefSchema,
      clientSecret: secretRefSchema,
    })
    .strict(),
]);

export const HUBSPOT_PLANS = ['free', 'starter', 'professional', 'enterprise', 'api_addon'] as const;

const crmSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('hubspot'),
      baseUrl: z.url().optional().describe('Override https://api.hubapi.com (sandboxes, proxies, tests).'),
      plan: z
        .enum(HUBSPOT_PLANS)
        .default('starter')
        .describe(
          'Sets the request budget: free/starter 100 per 10 s, professional/enterprise 190, api_addon 250.',
        ),
      requestsPer10Seconds: z
        .number()
        .int()
        .positive()
        .max(1000)
        .optional()
        .describe('Overrides the budget the plan implies.'),
      auth: hubspotAuthSchema
        .optional()
        .describe('Without auth the tenant runs in dry-run mode: writes are planned and shown, not sent.'),
    })
    .strict(),
  z
    .object({
      type: z.literal('salesforce'),
      baseUrl: z
        .url()
        .optional()
        .describe('The login or My Domain URL, e.g. https://acme.my.salesforce.com.'),
      apiVersion: z
        .string()
        .regex(/^\d{2,3}\.0$/, 'e.g. "66.0"')
        .default('66.0'),
      auth: salesforceAuthSchema
        .optional()
        .describe('Without auth the tenant runs in dry-run mode: writes are planned and shown, not sent.'),
    })
    .strict(),
]);

const objectTargetSchema = z
  .object({
    fields: fieldsSchema.default({}),
  })
  .strict();

const identityFieldSchema = z
  .object({ field: identifier.describe('The CRM field matched against the value.') })
  .strict();

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

const scoringSchema = z
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

const qualificationSchema = z
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

export const OWNER_STEPS = ['deal_owner', 'company_owner', 'fallback'] as const;

const taskSchema = z
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

const completenessSchema = z
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

export const tenantMappingSchema = z
  .object({
    tenant: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and "-"')
      .describe('Tenant id, used in webhook URLs.'),
    crm: crmSchema.describe('Which CRM the tenant uses and how gridsync connects to it.'),
    secrets: z
      .object({
        webhookSigningSecret: secretRefSchema.describe(
          'The whsec_… secret senders sign grids and signals with.',
        ),
        statusToken: secretRefSchema.describe('Bearer token for GET /v1/tenants/{tenant}/grids/{gridId}.'),
      })
      .strict()
      .describe("References to the tenant's webhook secrets: never the values."),
    schedule: z
      .string()
      .refine((expr) => cron.validate(expr), {
        message: 'not a valid cron expression (5 or 6 fields, e.g. "*/5 * * * *")',
      })
      .default('*/5 * * * *')
      .describe('When the scheduled sync runs (cron, UTC). Intake also wakes the worker at once.'),
    sync: z
      .object({
        maxAttempts: z
          .number()
          .int()
          .positive()
          .max(100)
          .default(10)
          .describe('Attempts before a job becomes a dead letter.'),
      })
      .strict()
      .default({ maxAttempts: 10 })
      .describe('Retry settings of the sync jobs.'),
    grid: z
      .object({
        object: objectName.describe(
          'The custom object that receives grids: HubSpot objectType (p_sales_grid, 2-1234) or Salesforce API name (Sales_Grid__c).',
        ),
        externalIdField: identifier.describe(
          'A unique-value property / External ID field that holds the gridId.',
        ),
        fields: fieldsSchema,
        associate: z
          .object({
            deal: associationSchema.optional(),
            company: associationSchema.optional(),
            contact: associationSchema.optional(),
          })
          .strict()
          .default({})
          .describe('Link each grid record with its deal, company and contact.'),
      })
      .strict()
      .describe('The custom object that receives grids, keyed by the grid id.'),
    identity: z
      .object({
        company: identityFieldSchema
          .default({ field: 'domain' })
          .describe('How a grid or signal finds its company by domain.'),
        contact: identityFieldSchema
          .default({ field: 'email' })
          .describe('How a grid finds its contact by email.'),
      })
      .strict()
      .default({ company: { field: 'domain' }, contact: { field: 'email' } })
      .describe('The CRM fields that find a company by domain and a contact by email.'),
    deal: objectTargetSchema
      .default({ fields: {} })
      .describe("Fields written on the grid's deal/opportunity."),
    company: objectTargetSchema.default({ fields: {} }).describe('Fields written on the company/account.'),
    contact: objectTargetSchema.default({ fields: {} }).describe('Fields written on the contact.'),
    completeness: completenessSchema
      .default({ minWords: 6, sections: {} })
      .describe('When a grid counts as complete: words each section needs.'),
    scoring: scoringSchema,
    qualification: qualificationSchema,
    task: taskSchema,
  })
  .strict()
  .superRefine((m, ctx) => {
    if (m.crm.type === 'salesforce') {
      for (const target of ['deal', 'company', 'contact'] as const) {
        if (m.grid.associate[target] && m.grid.associate[target].lookupField === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['grid', 'associate', target, 'lookupField'],
            message: 'Salesforce links records through lookup fields: name the field on the grid object',
          });
        }
      }
    }
  });

export type TenantMapping = z.infer<typeof tenantMappingSchema>;
export type TenantMappingInput = z.input<typeof tenantMappingSchema>;
export type CrmSettings = TenantMapping['crm'];
export type ScoringTable = TenantMapping['scoring'];
export type QualificationRule = TenantMapping['qualification'];
export type TaskTemplate = TenantMapping['task'];
export type CompletenessRule = TenantMapping['completeness'];
export type FieldsMapping = Record<string, FieldMapping>;

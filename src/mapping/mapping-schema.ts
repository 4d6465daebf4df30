/**
 * The tenant mapping file that RevOps edits by hand (mappings/<tenant>.yaml). Every object is strict so an
 * unknown key is an error; descriptions here become the hints in the generated JSON Schema.
 */
import { z } from 'zod';

import { secretRefSchema } from '../config/secret-ref.ts';
import { tenantIdSchema } from '../domain/identifiers.ts';
import { identifier, objectName } from './schema/common.ts';
import { crmSchema } from './schema/crm.ts';
import { checkDealRuleForCrm, dealSchema } from './schema/deal.ts';
import {
  associationSchema,
  fieldsSchema,
  identityFieldSchema,
  objectTargetSchema,
  type FieldMapping,
} from './schema/fields.ts';
import { qualificationSchema } from './schema/qualification.ts';
import { scheduleSchema } from './schema/schedule.ts';
import { scoringSchema } from './schema/scoring.ts';
import { completenessSchema, taskSchema } from './schema/task.ts';

export { HUBSPOT_PLANS } from './schema/crm.ts';
export {
  DEAL_PICKS,
  type DealCreateRule,
  type DealFindRule,
  type DealPick,
  type DealRule,
} from './schema/deal.ts';
export { fieldMappingSchema, type FieldMapping } from './schema/fields.ts';
export { ICP_CRITERIA } from './schema/qualification.ts';
export { SIGNAL_PAGE_KINDS } from './schema/scoring.ts';
export { OWNER_STEPS } from './schema/task.ts';

export const tenantMappingSchema = z
  .object({
    tenant: tenantIdSchema.describe('Tenant id, used in webhook URLs.'),
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
    schedule: scheduleSchema,
    sync: z
      .object({
        maxAttempts: z
          .number()
          .int()
          .positive()
          .max(100)
          .default(10)
          .describe('Attempts before a job becomes a dead letter.'),
        schemaCheckHours: z
          .number()
          .positive()
          .max(24 * 30)
          .default(24)
          .describe(
            'How often the worker compares the mapping with the live CRM schema (mapping plan) to catch drift: a field deleted, a type changed, an option removed. Also checked after every mapping reload.',
          ),
      })
      .strict()
      .default({ maxAttempts: 10, schemaCheckHours: 24 })
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
    deal: dealSchema
      .default({
        fields: {},
        find: { stages: 'open', pick: 'most_recently_created' },
        whenNone: 'wait',
      })
      .describe(
        "The grid's deal/opportunity: the fields written on it, and how gridsync finds it without a deal.crmId.",
      ),
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
    checkDealRuleForCrm(m.deal, m.crm.type, ctx);
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

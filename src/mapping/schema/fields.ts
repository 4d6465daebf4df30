/**
 * Field mappings (source path, constant, template, picklist map, too-long policy) and record targets.
 */
import { z } from 'zod';

import { SOURCE_PATHS } from '../source-paths.ts';
import { identifier, sourcePath, templateString } from './common.ts';

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

export const fieldsSchema = z
  .record(identifier, fieldMappingSchema)
  .describe('CRM field API name → where its value comes from.');

export const associationSchema = z
  .object({
    associationTypeId: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('HubSpot: a labelled association type id; omit for the default association.'),
    associationCategory: z
      .enum(['USER_DEFINED', 'INTEGRATOR_DEFINED'])
      .optional()
      .describe(
        'HubSpot: the category of associationTypeId: USER_DEFINED (a label made in the portal, the default) or INTEGRATOR_DEFINED (a label an app defined).',
      ),
    lookupField: identifier
      .optional()
      .describe('Salesforce: the lookup field on the grid object, e.g. Opportunity__c.'),
  })
  .strict();

export const objectTargetSchema = z
  .object({
    fields: fieldsSchema.default({}),
  })
  .strict();

export const identityFieldSchema = z
  .object({ field: identifier.describe('The CRM field matched against the value.') })
  .strict();

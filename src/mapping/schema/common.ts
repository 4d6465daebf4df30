/**
 * Building blocks of the mapping schema: CRM API names, templates (secret references: config/secret-ref.ts).
 */
import { z } from 'zod';

import { placeholdersOf, SOURCE_PATHS } from '../source-paths.ts';

export const identifier = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'a CRM API name such as gridsync_before_scenario or Before_Scenario__c');
export const sourcePath = z.enum(SOURCE_PATHS);

/** The grid object: a CRM API name, or a HubSpot objectTypeId such as 2-12345. */
export const objectName = z
  .string()
  .min(1)
  .max(100)
  .regex(
    /^([A-Za-z][A-Za-z0-9_]*|\d+-\d+)$/,
    'a CRM object name such as p_sales_grid, 2-12345 or Sales_Grid__c',
  );

export function templateString(allowed: readonly string[]) {
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

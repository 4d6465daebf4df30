/**
 * The Sales Grid: what DevRel learned in a real conversation with a developer, in the five sections of
 * Command of the Message adapted for DevRel. This file is the public contract of the grid webhook:
 * keep the field names stable.
 */
import { z } from 'zod';

import { CONTRACT_LIMITS as LIMITS } from './contract-limits.ts';
import { accountDomainSchema, contactEmailSchema } from './identifiers.ts';

/** A grid section is prose written by a person; trimming happens here so "   " counts as missing. */
const sectionText = z.string().trim().max(LIMITS.sectionLength);

export const GRID_SECTIONS = [
  'beforeScenario',
  'idealScenario',
  'negativeConsequences',
  'positiveOutcomes.business',
  'positiveOutcomes.personal',
  'requiredCapabilities',
] as const;
export type GridSection = (typeof GRID_SECTIONS)[number];

/** Words a DevRel person recognises, used in completeness reasons and task bodies. */
export const SECTION_TITLES: Readonly<Record<GridSection, string>> = {
  beforeScenario: 'Before Scenario',
  idealScenario: 'Ideal Scenario',
  negativeConsequences: 'Negative Consequences',
  'positiveOutcomes.business': 'Positive Outcomes (business layer)',
  'positiveOutcomes.personal': 'Positive Outcomes (personal layer)',
  requiredCapabilities: 'Required Capabilities',
};

/** Grid ids end up in CRM external-ID fields and URLs: keep them URL-safe (jsforce does not URL-encode external-ID values in paths). */
export const gridIdSchema = z
  .string()
  .min(1)
  .max(LIMITS.gridIdLength)
  .regex(/^[A-Za-z0-9._:-]+$/, 'use letters, digits, ".", "_", ":" or "-" only');

export const salesGridSchema = z
  .object({
    gridId: gridIdSchema,
    submittedBy: z.string().trim().min(1).max(LIMITS.submittedByLength),
    capturedAt: z.iso.datetime({ offset: true }),
    account: z
      .object({
        domain: accountDomainSchema.optional(),
        name: z.string().trim().max(LIMITS.nameLength).optional(),
        crmId: z.string().trim().min(1).max(LIMITS.crmIdLength).optional(),
      })
      .strict()
      .refine((a) => a.domain !== undefined || a.crmId !== undefined, {
        message: 'the account needs a domain or a crmId',
      }),
    contact: z
      .object({
        email: contactEmailSchema,
        name: z.string().trim().max(LIMITS.nameLength).optional(),
      })
      .strict()
      .optional(),
    deal: z
      .object({ crmId: z.string().trim().min(1).max(LIMITS.crmIdLength) })
      .strict()
      .optional(),
    context: z
      .object({
        event: z.string().trim().max(LIMITS.nameLength).optional(),
        notes: z.string().trim().max(LIMITS.notesLength).optional(),
      })
      .catchall(z.string().max(LIMITS.notesLength))
      .optional(),
    beforeScenario: sectionText.optional(),
    idealScenario: sectionText.optional(),
    negativeConsequences: sectionText.optional(),
    positiveOutcomes: z
      .object({ business: sectionText.optional(), personal: sectionText.optional() })
      .strict()
      .optional(),
    requiredCapabilities: sectionText.optional(),
  })
  .strict();

export type SalesGrid = z.infer<typeof salesGridSchema>;

/** The text of one section, or undefined when the draft does not have it yet. */
export function readSection(grid: SalesGrid, section: GridSection): string | undefined {
  switch (section) {
    case 'positiveOutcomes.business':
      return grid.positiveOutcomes?.business;
    case 'positiveOutcomes.personal':
      return grid.positiveOutcomes?.personal;
    default:
      return grid[section];
  }
}

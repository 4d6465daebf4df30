/**
 * The values a mapping may read. A closed list, so a typo in a mapping file is caught at load time with a
 * "did you mean", and the JSON Schema can offer the list to RevOps' editor.
 *
 * grid.*    the submitted grid (latest version) and its completeness
 * account.* what gridsync knows of the account: intent score from signals, qualification verdict
 */
import { GRID_SECTIONS } from '../domain/sales-grid.ts';

export const GRID_SOURCE_PATHS = [
  'grid.gridId',
  'grid.version',
  'grid.submittedBy',
  'grid.capturedAt',
  'grid.account.domain',
  'grid.account.name',
  'grid.contact.email',
  'grid.contact.name',
  'grid.context.event',
  'grid.context.notes',
  'grid.beforeScenario',
  'grid.idealScenario',
  'grid.negativeConsequences',
  'grid.positiveOutcomes.business',
  'grid.positiveOutcomes.personal',
  'grid.requiredCapabilities',
  'grid.complete',
  'grid.missingSections',
  'grid.statusUrl',
] as const;

/** The grid's six sections (domain/sales-grid.ts), as the source paths a mapping reads them by. */
export const GRID_SECTION_SOURCES = GRID_SECTIONS.map((section) => `grid.${section}` as const);

export const ACCOUNT_SOURCE_PATHS = [
  'account.domain',
  'account.intentScore',
  'account.intentLevel',
  'account.qualified',
  'account.qualificationSummary',
  'account.qualificationRuleVersion',
  'account.lastSignalAt',
  'account.activeDays',
  'account.activeUsers',
  'account.signalCount',
] as const;

export const SOURCE_PATHS = [...GRID_SOURCE_PATHS, ...ACCOUNT_SOURCE_PATHS] as const;
export type GridSourcePath = (typeof GRID_SOURCE_PATHS)[number];
export type AccountSourcePath = (typeof ACCOUNT_SOURCE_PATHS)[number];
export type SourcePath = (typeof SOURCE_PATHS)[number];

export function isGridSourcePath(path: string): path is GridSourcePath {
  return (GRID_SOURCE_PATHS as readonly string[]).includes(path);
}

/** `{{grid.beforeScenario}}` placeholders in templates; whitespace inside the braces is allowed. */
export const PLACEHOLDER_PATTERN = /\{\{\s*([^{}\s]+)\s*\}\}/g;

export function placeholdersOf(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER_PATTERN)].map((m) => m[1] ?? '');
}

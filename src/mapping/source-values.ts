/**
 * Reads the values a mapping refers to (source paths, template placeholders) from a grid and its account.
 * CRM fields are strings on the wire, so every value is rendered as a string here, in one place.
 */
import type { AccountState } from '../domain/account-state.ts';
import type { GridCompleteness } from '../domain/grid-completeness.ts';
import type { SalesGrid } from '../domain/sales-grid.ts';
import { PLACEHOLDER_PATTERN, type SourcePath } from './source-paths.ts';

export interface GridSource {
  grid: SalesGrid;
  version: number;
  completeness: GridCompleteness;
  statusUrl: string;
}

export interface SourceContext {
  grid?: GridSource | undefined;
  account?: AccountState | undefined;
}

type Reader = (ctx: SourceContext) => string | number | boolean | null | undefined;

const READERS: Readonly<Record<SourcePath, Reader>> = {
  'grid.gridId': (c) => c.grid?.grid.gridId,
  'grid.version': (c) => c.grid?.version,
  'grid.submittedBy': (c) => c.grid?.grid.submittedBy,
  'grid.capturedAt': (c) => c.grid?.grid.capturedAt,
  'grid.account.domain': (c) => c.grid?.grid.account.domain,
  'grid.account.name': (c) => c.grid?.grid.account.name ?? c.grid?.grid.account.domain,
  'grid.contact.email': (c) => c.grid?.grid.contact?.email,
  'grid.contact.name': (c) => c.grid?.grid.contact?.name ?? c.grid?.grid.contact?.email,
  'grid.context.event': (c) => c.grid?.grid.context?.event,
  'grid.context.notes': (c) => c.grid?.grid.context?.notes,
  'grid.beforeScenario': (c) => c.grid?.grid.beforeScenario,
  'grid.idealScenario': (c) => c.grid?.grid.idealScenario,
  'grid.negativeConsequences': (c) => c.grid?.grid.negativeConsequences,
  'grid.positiveOutcomes.business': (c) => c.grid?.grid.positiveOutcomes?.business,
  'grid.positiveOutcomes.personal': (c) => c.grid?.grid.positiveOutcomes?.personal,
  'grid.requiredCapabilities': (c) => c.grid?.grid.requiredCapabilities,
  'grid.complete': (c) => c.grid?.completeness.complete,
  'grid.missingSections': (c) => c.grid?.completeness.gaps.map((g) => g.title).join(', '),
  'grid.statusUrl': (c) => c.grid?.statusUrl,
  'account.domain': (c) => c.account?.domain ?? c.grid?.grid.account.domain,
  'account.intentScore': (c) => (c.account ? Math.round(c.account.score * 10) / 10 : undefined),
  'account.intentLevel': (c) => c.account?.level,
  'account.qualified': (c) => c.account?.verdict.qualified,
  'account.qualificationSummary': (c) => c.account?.verdict.summary,
  'account.qualificationRuleVersion': (c) => c.account?.verdict.ruleVersion,
  'account.lastSignalAt': (c) => c.account?.lastSignalAt,
  'account.activeDays': (c) => activityFigure(c.account, 'activeDays'),
  'account.activeUsers': (c) => activityFigure(c.account, 'activeUsers'),
  'account.signalCount': (c) => c.account?.signalCount,
};

function activityFigure(
  account: AccountState | undefined,
  key: 'activeDays' | 'activeUsers',
): number | undefined {
  const aggregate = account?.aggregate;
  if (typeof aggregate !== 'object' || aggregate === null) return undefined;
  const value = (aggregate as Record<string, unknown>)[key];
  return typeof value === 'number' ? value : undefined;
}

/** The value at a source path as the CRM receives it; undefined when there is none (e.g. no contact). */
export function readSourceValue(path: SourcePath, ctx: SourceContext): string | undefined {
  const value = READERS[path](ctx);
  if (value === undefined || value === null) return undefined;
  return String(value);
}

/** Fills `{{path}}` placeholders; an empty value renders as "" (placeholders were validated at load time). */
export function renderTemplate(template: string, ctx: SourceContext): string {
  return template.replace(PLACEHOLDER_PATTERN, (_match, name: string) => {
    return name in READERS ? (readSourceValue(name as SourcePath, ctx) ?? '') : '';
  });
}

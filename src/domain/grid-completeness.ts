/**
 * Is a grid ready to hand to sales? All five sections present and substantive, Positive Outcomes with both
 * its business and its personal layer (docs/architecture.md, "Background"). Reasons are written for the DevRel person who filled it in.
 */
import {
  GRID_SECTIONS,
  type GridSection,
  readSection,
  type SalesGrid,
  SECTION_TITLES,
} from './sales-grid.ts';

export interface CompletenessMinimums {
  /** Words a section needs to count as substantive. */
  minWords: number;
  sections?: Partial<Record<GridSection, { minWords: number }>>;
}

export const DEFAULT_COMPLETENESS: CompletenessMinimums = { minWords: 6 };

export interface SectionGap {
  section: GridSection;
  title: string;
  problem: 'missing' | 'too_thin';
  reason: string;
}

export interface GridCompleteness {
  complete: boolean;
  gaps: SectionGap[];
  /**
   * The rules that produced the verdict (completenessRules): set on every verdict gridsync records; absent on
   * verdicts recorded before it was.
   */
  rules?: string;
}

const WHY: Readonly<Record<GridSection, string>> = {
  beforeScenario: 'where the developer is today and what makes progress hard',
  idealScenario: 'what they are trying to get to, in their words rather than our product',
  negativeConsequences: 'what happens if they do nothing',
  'positiveOutcomes.business': 'what the company gains',
  'positiveOutcomes.personal': 'what the developer personally gains',
  requiredCapabilities: 'what they need to get from where they are to where they want to be',
};

export function countWords(text: string): number {
  return text.split(/\s+/u).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
}

/**
 * The one rule set, named: the version of this module's rules and the minimums in force, e.g.
 * `v1 minWords 6` or `v1 minWords 6, requiredCapabilities 10`. Two verdicts with the same name were judged alike;
 * bump the version whenever assessCompleteness judges differently.
 */
export function completenessRules(minimums: CompletenessMinimums = DEFAULT_COMPLETENESS): string {
  const overrides = GRID_SECTIONS.flatMap((section) => {
    const words = minimums.sections?.[section]?.minWords;
    return words === undefined ? [] : [`${section} ${words}`];
  });
  return [`v1 minWords ${minimums.minWords}`, ...overrides].join(', ');
}

/** The verdict gridsync records: judged by assessCompleteness, with the rules that produced it. */
export function judgeCompleteness(
  grid: SalesGrid,
  minimums: CompletenessMinimums = DEFAULT_COMPLETENESS,
): GridCompleteness {
  return { ...assessCompleteness(grid, minimums), rules: completenessRules(minimums) };
}

/**
 * The verdict under the rules in force: the recorded one when the same rules produced it (the intake's, say),
 * else the grid judged again. The worker acts on this, so it never silently differs from what was recorded.
 */
export function completenessUnder(
  grid: SalesGrid,
  recorded: GridCompleteness,
  minimums: CompletenessMinimums,
): GridCompleteness {
  return recorded.rules === completenessRules(minimums) ? recorded : judgeCompleteness(grid, minimums);
}

export function assessCompleteness(
  grid: SalesGrid,
  minimums: CompletenessMinimums = DEFAULT_COMPLETENESS,
): GridCompleteness {
  const gaps: SectionGap[] = [];
  for (const section of GRID_SECTIONS) {
    const title = SECTION_TITLES[section];
    const text = readSection(grid, section)?.trim() ?? '';
    const needed = minimums.sections?.[section]?.minWords ?? minimums.minWords;
    if (text === '') {
      gaps.push({ section, title, problem: 'missing', reason: `${title} is missing: add ${WHY[section]}.` });
      continue;
    }
    const words = countWords(text);
    if (words < needed) {
      gaps.push({
        section,
        title,
        problem: 'too_thin',
        reason: `${title} has ${words} word${words === 1 ? '' : 's'}; at least ${needed} are needed to describe ${WHY[section]}.`,
      });
    }
  }
  return { complete: gaps.length === 0, gaps };
}

import { describe, expect, it } from 'vitest';

import grid from '../../test/fixtures/grids/ledgerline-complete.json' with { type: 'json' };
import {
  assessCompleteness,
  completenessRules,
  completenessUnder,
  countWords,
  judgeCompleteness,
} from './grid-completeness.ts';
import { salesGridSchema } from './sales-grid.ts';

const complete = salesGridSchema.parse(grid);

describe('assessCompleteness', () => {
  it('calls a grid with all five sections, both outcome layers and enough words complete', () => {
    expect(assessCompleteness(complete)).toEqual({ complete: true, gaps: [] });
  });

  it('names a missing personal layer of Positive Outcomes in words DevRel can act on', () => {
    const draft = salesGridSchema.parse({
      ...grid,
      positiveOutcomes: { business: grid.positiveOutcomes.business },
    });
    const result = assessCompleteness(draft);
    expect(result.complete).toBe(false);
    expect(result.gaps).toEqual([
      {
        section: 'positiveOutcomes.personal',
        title: 'Positive Outcomes (personal layer)',
        problem: 'missing',
        reason: 'Positive Outcomes (personal layer) is missing: add what the developer personally gains.',
      },
    ]);
  });

  it('treats whitespace as missing and a few words as too thin, with per-section minimums', () => {
    const draft = salesGridSchema.parse({
      ...grid,
      beforeScenario: '   ',
      requiredCapabilities: 'Managed webhooks, retries.',
    });
    const result = assessCompleteness(draft, {
      minWords: 6,
      sections: { requiredCapabilities: { minWords: 10 } },
    });
    expect(result.gaps.map((g) => [g.section, g.problem])).toEqual([
      ['beforeScenario', 'missing'],
      ['requiredCapabilities', 'too_thin'],
    ]);
    expect(result.gaps[1]?.reason).toContain('has 3 words; at least 10 are needed');
  });

  it('counts words, not punctuation', () => {
    expect(countWords('Works, but — it is fragile.')).toBe(5);
  });
});

describe('the completeness rules recorded with each verdict', () => {
  const sections = { requiredCapabilities: { minWords: 10 } };

  it('are named by their version and minimums, and travel with the verdict', () => {
    expect(completenessRules()).toBe('v1 minWords 6');
    expect(completenessRules({ minWords: 6, sections: {} })).toBe('v1 minWords 6');
    expect(completenessRules({ minWords: 4, sections })).toBe('v1 minWords 4, requiredCapabilities 10');
    expect(judgeCompleteness(complete)).toEqual({ complete: true, gaps: [], rules: 'v1 minWords 6' });
  });

  it('keep the recorded verdict under the same rules, and judge again under others', () => {
    const recorded = judgeCompleteness(complete);
    expect(completenessUnder(complete, recorded, { minWords: 6, sections: {} })).toBe(recorded);
    const stricter = completenessUnder(complete, recorded, { minWords: 40 });
    expect(stricter).toMatchObject({ complete: false, rules: 'v1 minWords 40' });
    // A verdict recorded before the rules were (no name) is judged again.
    const unnamed = assessCompleteness(complete);
    expect(completenessUnder(complete, unnamed, { minWords: 6 })).toEqual(recorded);
  });
});

describe('salesGridSchema', () => {
  it('normalises the account domain and contact email so grids and signals meet', () => {
    const parsed = salesGridSchema.parse({
      ...grid,
      account: { domain: ' LedgerLine.Example ' },
      contact: { email: 'Maya@LedgerLine.example' },
    });
    expect(parsed.account.domain).toBe('ledgerline.example');
    expect(parsed.contact?.email).toBe('maya@ledgerline.example');
  });

  it('needs an account domain or CRM id, and refuses unknown fields', () => {
    expect(salesGridSchema.safeParse({ ...grid, account: { name: 'Ledgerline' } }).success).toBe(false);
    expect(salesGridSchema.safeParse({ ...grid, budget: 'big' }).success).toBe(false);
  });
});

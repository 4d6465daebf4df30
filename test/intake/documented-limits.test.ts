/**
 * The limits the README states for a grid's texts, checked at the intake: a section of exactly the limit is
 * stored whole, one character more is refused naming the field (never cut), and surrounding whitespace does not
 * count. The task body limit is checked where the task is rendered (src/ae-task/render-task.test.ts).
 */
import { describe, expect, it } from 'vitest';

import { ledgerlineGrid } from '../support/example-payloads.ts';
import { intakePerTest, pointers } from './intake-harness.ts';

const SECTION_LIMIT = 65_536; // README: "each of the six section texts … at most 65,536 characters"
const NOTES_LIMIT = 10_000;

const intake = intakePerTest();

describe('documented grid limits', () => {
  it('stores a section of 65,536 characters whole and refuses 65,537, naming the field', async () => {
    const atLimit = ledgerlineGrid({ beforeScenario: `  ${'a'.repeat(SECTION_LIMIT)}\n` });
    expect((await intake.post('grids', 'acme', atLimit)).statusCode).toBe(202);

    const over = ledgerlineGrid({
      gridId: 'grid-over-limit',
      positiveOutcomes: { business: 'b'.repeat(SECTION_LIMIT + 1), personal: 'Fewer pages at night for me.' },
    });
    const refused = await intake.post('grids', 'acme', over);
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ code: 'payload_invalid' });
    expect(pointers(refused)).toEqual(['/positiveOutcomes/business']);
  });

  it('refuses notes over 10,000 characters', async () => {
    const over = ledgerlineGrid({ context: { event: 'API World', notes: 'n'.repeat(NOTES_LIMIT + 1) } });
    const refused = await intake.post('grids', 'acme', over);
    expect(refused.statusCode).toBe(400);
    expect(pointers(refused)).toEqual(['/context/notes']);
  });
});

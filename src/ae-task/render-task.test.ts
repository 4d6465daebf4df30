import { describe, expect, it } from 'vitest';

import { ledgerlineGrid } from '../../test/support/example-payloads.ts';
import { assessCompleteness } from '../domain/grid-completeness.ts';
import type { SalesGrid } from '../domain/sales-grid.ts';
import type { SourceContext } from '../mapping/source-values.ts';
import {
  cutText,
  dueDateFor,
  FALLBACK_SUBJECT,
  renderAeTask,
  TASK_BODY_MAX,
  TASK_SUBJECT_MAX,
} from './render-task.ts';
import { taskMarker } from './task-marker.ts';

/** The worked example: the payment-webhooks engineer at a mid-sized fintech (test/support/example-payloads.ts). */
const { context: _context, ...example } = ledgerlineGrid({
  gridId: 'conf-2026-ledgerline-1',
  contact: { email: 'sam@ledgerline.example', name: 'Sam Ortiz' },
});
const grid: SalesGrid = example;

const context: SourceContext = {
  grid: {
    grid,
    version: 1,
    completeness: assessCompleteness(grid),
    statusUrl: 'https://gridsync.example/s/1',
  },
};

const template = {
  subject: 'Sales Grid: {{grid.contact.name}} at {{grid.account.name}}',
  body: [
    'Where they are: {{grid.beforeScenario}}',
    'Where they want to get: {{grid.idealScenario}}',
    'At stake: {{grid.negativeConsequences}}',
    'Business outcome: {{grid.positiveOutcomes.business}}',
    'Personal outcome: {{grid.positiveOutcomes.personal}}',
    'What they need: {{grid.requiredCapabilities}}',
  ].join('\n'),
  dueInDays: 2,
  priority: 'high' as const,
};

const NOW = new Date('2026-11-20T21:30:00.000Z');
const marker = taskMarker('acme', grid.gridId);

describe('renderAeTask', () => {
  it("carries the grid's five sections into the body and ends with the marker line", () => {
    const task = renderAeTask({ template, context, marker, now: NOW });
    expect(task.subject).toBe('Sales Grid: Sam Ortiz at Ledgerline');
    expect(task.body).toContain(`Where they are: ${grid.beforeScenario}`);
    expect(task.body).toContain(`Where they want to get: ${grid.idealScenario}`);
    expect(task.body).toContain(`At stake: ${grid.negativeConsequences}`);
    expect(task.body).toContain(`Business outcome: ${grid.positiveOutcomes?.business}`);
    expect(task.body).toContain(`Personal outcome: ${grid.positiveOutcomes?.personal}`);
    expect(task.body).toContain(`What they need: ${grid.requiredCapabilities}`);
    expect(task.body.endsWith(`\n\ngridsync reference: ${marker}`)).toBe(true);
    expect(task.priority).toBe('high');
  });

  it('keeps the subject on one line when a placeholder brings line breaks', () => {
    const task = renderAeTask({
      template: { ...template, subject: 'Re: {{grid.idealScenario}}' },
      context: withSection('idealScenario', 'Ship\n\n  reliably'),
      marker,
      now: NOW,
    });
    expect(task.subject).toBe('Re: Ship reliably');
  });

  it('falls back to a readable subject when the template renders to nothing', () => {
    const task = renderAeTask({
      template: { ...template, subject: '{{grid.context.event}}' },
      context,
      marker,
      now: NOW,
    });
    expect(task.subject).toBe(FALLBACK_SUBJECT);
  });

  it('cuts a long subject to 255 characters ending in "…"', () => {
    const task = renderAeTask({
      template: { ...template, subject: 'Grid: {{grid.beforeScenario}}' },
      context: withSection('beforeScenario', 'x'.repeat(400)),
      marker,
      now: NOW,
    });
    expect(task.subject).toHaveLength(TASK_SUBJECT_MAX);
    expect(task.subject.endsWith('x…')).toBe(true);
  });

  it('cuts a long body to 32,000 characters and still keeps the whole marker line', () => {
    const task = renderAeTask({
      template,
      context: withSection('beforeScenario', 'y'.repeat(40_000)),
      marker,
      now: NOW,
    });
    expect(task.body).toHaveLength(TASK_BODY_MAX);
    expect(task.body.endsWith(`…\n\ngridsync reference: ${marker}`)).toBe(true);
  });

  it('is due at 17:00 UTC dueInDays calendar days later', () => {
    expect(renderAeTask({ template, context, marker, now: NOW }).dueAt.toISOString()).toBe(
      '2026-11-22T17:00:00.000Z',
    );
    expect(dueDateFor(new Date('2026-11-20T00:00:00Z'), 0).toISOString()).toBe('2026-11-20T17:00:00.000Z');
    expect(dueDateFor(new Date('2026-12-31T23:59:59Z'), 1).toISOString()).toBe('2027-01-01T17:00:00.000Z');
  });
});

describe('cutText', () => {
  it('leaves text that fits alone', () => {
    expect(cutText('short', 5)).toBe('short');
  });

  it('never splits a character made of two UTF-16 units', () => {
    const cut = cutText('ab😀cd', 4);
    expect(cut).toBe('ab…');
    expect(cut.length).toBeLessThanOrEqual(4);
  });
});

function withSection(section: 'beforeScenario' | 'idealScenario', text: string): SourceContext {
  const changed = { ...grid, [section]: text };
  return { grid: { grid: changed, version: 1, completeness: assessCompleteness(changed), statusUrl: '' } };
}

import { describe, expect, it } from 'vitest';

import { aeTask } from '../../../test/support/ae-tasks.ts';
import type { NewAeTask } from '../crm-client.ts';
import { TASK_DESCRIPTION_MAX, TASK_SUBJECT_MAX } from './salesforce-limits.ts';
import {
  buildTaskRecord,
  descriptionWithMarker,
  subjectWithMarker,
  tasksByMarkersSoql,
} from './salesforce-task.ts';

const MARKER = 'gridsync8f3a0c12';

function task(overrides: Partial<NewAeTask> = {}): NewAeTask {
  return aeTask({
    subject: 'Follow up: Acme wants SSO',
    body: 'Before: manual exports.',
    dueAt: new Date('2026-11-20T23:30:00Z'),
    priority: 'medium',
    ownerId: '0055g00000OwnErAAA',
    marker: MARKER,
    links: { deal: '0065g00000DeaLAAA', company: '0015g00000AccTAAA', contact: '0035g00000CoNtAAA' },
    ...overrides,
  });
}

describe('buildTaskRecord', () => {
  it('maps the task onto Task fields', () => {
    expect(buildTaskRecord(task())).toEqual({
      Subject: `Follow up: Acme wants SSO [${MARKER}]`,
      Description: `Before: manual exports.\n\n(gridsync ${MARKER})`,
      ActivityDate: '2026-11-20',
      Status: 'Not Started',
      Priority: 'Normal',
      OwnerId: '0055g00000OwnErAAA',
      WhatId: '0065g00000DeaLAAA',
      WhoId: '0035g00000CoNtAAA',
    });
  });

  it('links the account when there is no opportunity, and no WhoId without a contact', () => {
    const record = buildTaskRecord(task({ priority: 'high', links: { company: '0015g00000AccTAAA' } }));
    expect(record.WhatId).toBe('0015g00000AccTAAA');
    expect(record).not.toHaveProperty('WhoId');
    expect(record.Priority).toBe('High');
    expect(buildTaskRecord(task({ priority: 'low', links: {} }))).not.toHaveProperty('WhatId');
  });
});

describe('marker placement', () => {
  it('keeps the subject within 255 characters and never cuts the marker', () => {
    const subject = subjectWithMarker('x'.repeat(400), MARKER);
    expect(subject.length).toBeLessThanOrEqual(TASK_SUBJECT_MAX);
    expect(subject.endsWith(`… [${MARKER}]`)).toBe(true);
  });

  it('does not repeat a marker the subject already carries', () => {
    expect(subjectWithMarker(`Call Acme [${MARKER}]`, MARKER)).toBe(`Call Acme [${MARKER}]`);
  });

  it('keeps the description within 32,000 characters with the marker at the end', () => {
    const description = descriptionWithMarker('y'.repeat(40_000), MARKER);
    expect(description.length).toBeLessThanOrEqual(TASK_DESCRIPTION_MAX);
    expect(description.endsWith(`(gridsync ${MARKER})`)).toBe(true);
    expect(descriptionWithMarker(`see ${MARKER}`, MARKER)).toBe(`see ${MARKER}`);
  });

  it('refuses an empty or oversized marker', () => {
    expect(() => subjectWithMarker('x', '')).toThrow(/marker/);
    expect(() => tasksByMarkersSoql(['m'.repeat(81)])).toThrow(/marker/);
  });
});

describe('tasksByMarkersSoql', () => {
  it('filters the filterable Subject, with wildcards and quotes in the marker escaped', () => {
    expect(tasksByMarkersSoql([MARKER])).toBe(
      `SELECT Id, Subject FROM Task WHERE Subject LIKE '%[${MARKER}]%' ORDER BY CreatedDate ASC, Id ASC`,
    );
    expect(tasksByMarkersSoql(["a_b%'c"])).toContain("LIKE '%[a\\_b\\%\\'c]%'");
  });

  it('looks for many markers in one query, and refuses more than a query should hold', () => {
    expect(tasksByMarkersSoql(['gridsynca', 'gridsyncb'])).toContain(
      "WHERE Subject LIKE '%[gridsynca]%' OR Subject LIKE '%[gridsyncb]%' ORDER BY",
    );
    expect(() => tasksByMarkersSoql([])).toThrow(/1–100/);
    expect(() => tasksByMarkersSoql(Array.from({ length: 101 }, (_, i) => `gridsync${i}`))).toThrow(/1–100/);
  });
});

import { describe, expect, it } from 'vitest';

import { taskMarker, taskMarkerLine } from './task-marker.ts';

describe('taskMarker', () => {
  it('is "gridsync" and 24 lower-case hex characters, letters and digits only', () => {
    expect(taskMarker('acme', 'grid-2026.11:42')).toMatch(/^gridsync[0-9a-f]{24}$/);
  });

  it('is stable: the same tenant and grid always give the same marker', () => {
    // Pinned: a change would orphan every task created before it (they could no longer be found after a crash).
    expect(taskMarker('acme', 'g-1')).toBe('gridsync5dccac2858dab0e02bcfc431');
    expect(taskMarker('acme', 'g-1')).toBe(taskMarker('acme', 'g-1'));
  });

  it('differs between grids, between tenants and across the tenant/grid boundary', () => {
    const markers = new Set([
      taskMarker('acme', 'g-1'),
      taskMarker('acme', 'g-2'),
      taskMarker('globex', 'g-1'),
      taskMarker('ab', 'c'),
      taskMarker('a', 'bc'),
    ]);
    expect(markers.size).toBe(5);
  });

  it('is written into the task as a labelled line', () => {
    expect(taskMarkerLine('gridsyncabc')).toBe('gridsync reference: gridsyncabc');
  });
});

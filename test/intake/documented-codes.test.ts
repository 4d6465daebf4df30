/**
 * docs/errors.md is the senders' reference: every code the intake's catalogue can emit is in its table with the
 * same status, and its "Limits" table states the numbers the code enforces.
 */
import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { CONTRACT_LIMITS } from '../../src/domain/contract-limits.ts';
import { HTTP_LIMITS } from '../../src/intake/http-limits.ts';
import { INTAKE_ERROR_CODES, INTAKE_ERRORS } from '../../src/intake/intake-errors.ts';

const DOC = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');

/** The rows of the markdown table that follows `heading`, as trimmed cells. */
function tableAfter(heading: RegExp): string[][] {
  const start = DOC.search(heading);
  expect(start, `docs/errors.md has a section matching ${heading}`).toBeGreaterThanOrEqual(0);
  const lines = DOC.slice(start).split('\n');
  const first = lines.findIndex((line) => line.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim()),
    );
  }
  return rows;
}

describe('docs/errors.md', () => {
  it('lists every code of the catalogue, with its status, and no code the catalogue lacks', () => {
    const rows = tableAfter(/^The codes are defined/m);
    const documented = new Map(rows.map(([code, status]) => [code?.replaceAll('`', ''), Number(status)]));
    expect([...documented.keys()].sort()).toEqual([...INTAKE_ERROR_CODES].sort());
    for (const code of INTAKE_ERROR_CODES) {
      expect(documented.get(code), code).toBe(INTAKE_ERRORS[code].status);
    }
  });

  it('states the limits the schemas, the router and the HTTP server enforce', () => {
    const limits = new Map(tableAfter(/^## Limits/m).map(([what, limit]) => [what, limit ?? '']));
    const documented = (what: string): number => {
      const limit = limits.get(what);
      expect(limit, `a "${what}" row`).toBeDefined();
      return Number(/^[\d,]+/.exec(limit ?? '')?.[0].replaceAll(',', ''));
    };
    expect(documented('webhook body')).toBe(CONTRACT_LIMITS.bodyBytes);
    expect(documented('signals per batch')).toBe(CONTRACT_LIMITS.signalsPerBatch);
    expect(documented('tenant id')).toBe(CONTRACT_LIMITS.tenantIdLength);
    expect(documented('grid id (`gridId`)')).toBe(CONTRACT_LIMITS.gridIdLength);
    expect(documented('signal id (`id`)')).toBe(CONTRACT_LIMITS.signalIdLength);
    expect(documented('signal type (`type`)')).toBe(CONTRACT_LIMITS.signalTypeLength);
    expect(documented('each grid section')).toBe(CONTRACT_LIMITS.sectionLength);
    expect(documented('`submittedBy`')).toBe(CONTRACT_LIMITS.submittedByLength);
    expect(documented('account, contact and event names')).toBe(CONTRACT_LIMITS.nameLength);
    expect(documented('`context.notes` and other `context` fields')).toBe(CONTRACT_LIMITS.notesLength);
    expect(documented('`account.crmId`, `deal.crmId`')).toBe(CONTRACT_LIMITS.crmIdLength);
    expect(documented('path segment, percent-decoded')).toBe(HTTP_LIMITS.pathParamLength);
    expect(documented('request line and headers')).toBe(HTTP_LIMITS.headerBytes);
    expect(documented('time for the whole request to arrive') * 1000).toBe(HTTP_LIMITS.requestTimeoutMs);
    expect(limits.size).toBe(14);
  });
});

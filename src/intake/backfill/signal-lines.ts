/**
 * A signal history file, line by line: NDJSON (one signal object per line) or CSV (a header line naming the
 * columns, then one signal per line). Each line becomes the same object the webhook receives in its
 * `signals` list, so it is validated by the webhook's own schema (signalSchema) and nothing else.
 *
 * CSV columns: id, type, account.domain, occurredAt, value, contact.email, contact.name, source, attributes
 * (a JSON object), tenant; snake_case spellings (account_domain, occurred_at, contact_email) are accepted.
 * Fields are separated by commas and may be quoted ("a, b", "say ""hi"""); a field cannot span lines.
 */
export type SignalFileFormat = 'ndjson' | 'csv';

/** What one line holds: the signal as sent, or why it is not even an object. */
export type ParsedLine = { ok: true; value: Record<string, unknown> } | { ok: false; reason: string };

const CSV_COLUMNS: Record<string, string[]> = {
  id: ['id'],
  type: ['type'],
  'account.domain': ['account', 'domain'],
  account_domain: ['account', 'domain'],
  domain: ['account', 'domain'],
  occurredAt: ['occurredAt'],
  occurred_at: ['occurredAt'],
  value: ['value'],
  'contact.email': ['contact', 'email'],
  contact_email: ['contact', 'email'],
  'contact.name': ['contact', 'name'],
  contact_name: ['contact', 'name'],
  source: ['source'],
  attributes: ['attributes'],
  tenant: ['tenant'],
};

export function parseNdjsonLine(line: string): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { ok: false, reason: `not valid JSON: ${(error as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'not a JSON object: each line holds one signal' };
  }
  return { ok: true, value: value as Record<string, unknown> };
}

/** The CSV header → a line parser; throws on a column no signal field matches (the whole file is wrong). */
export function csvLineParser(header: string): (line: string) => ParsedLine {
  const names = splitCsv(header);
  if (!names.ok) throw new Error(`the CSV header is malformed: ${names.reason}`);
  const paths = names.value.map((name) => {
    const path = CSV_COLUMNS[name.trim()];
    if (!path) {
      throw new Error(
        `the CSV header names an unknown column "${name}": use ${Object.keys(CSV_COLUMNS)
          .filter((c) => !c.includes('_') || c === 'account_domain')
          .join(', ')}`,
      );
    }
    return path;
  });
  return (line) => {
    const cells = splitCsv(line);
    if (!cells.ok) return cells;
    if (cells.value.length !== paths.length) {
      return { ok: false, reason: `has ${cells.value.length} fields, the header names ${paths.length}` };
    }
    const signal: Record<string, unknown> = {};
    for (const [i, path] of paths.entries()) {
      const cell = cells.value[i] ?? '';
      if (cell === '') continue;
      const parsed = cellValue(path, cell);
      if (!parsed.ok) return parsed;
      setPath(signal, path, parsed.value);
    }
    return { ok: true, value: signal };
  };
}

function cellValue(
  path: string[],
  cell: string,
): { ok: true; value: unknown } | { ok: false; reason: string } {
  if (path[0] === 'value') {
    const n = Number(cell);
    // A value that is not a number is passed on as text, so the schema names the field in its refusal.
    return { ok: true, value: cell.trim() !== '' && Number.isFinite(n) ? n : cell };
  }
  if (path[0] === 'attributes') {
    try {
      return { ok: true, value: JSON.parse(cell) as unknown };
    } catch (error) {
      return { ok: false, reason: `the attributes column is not a JSON object: ${(error as Error).message}` };
    }
  }
  return { ok: true, value: cell };
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  const [head, ...rest] = path;
  if (head === undefined) return;
  if (rest.length === 0) {
    target[head] = value;
    return;
  }
  const child = (target[head] ??= {}) as Record<string, unknown>;
  setPath(child, rest, value);
}

/** RFC 4180 fields of one line. */
export function splitCsv(line: string): { ok: true; value: string[] } | { ok: false; reason: string } {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let field = '';
      i += 1;
      for (;;) {
        if (i >= line.length) return { ok: false, reason: 'a quoted field is not closed' };
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        field += line[i];
        i += 1;
      }
      fields.push(field);
      if (i < line.length && line[i] !== ',') {
        return { ok: false, reason: `text after a closing quote at column ${i + 1}` };
      }
    } else {
      const end = line.indexOf(',', i);
      fields.push(end === -1 ? line.slice(i) : line.slice(i, end));
      i = end === -1 ? line.length : end;
    }
    if (i >= line.length) return { ok: true, value: fields };
    i += 1; // the comma
    if (i === line.length) {
      fields.push('');
      return { ok: true, value: fields };
    }
  }
}

/**
 * A small SOQL reader for the statements an integration sends: `SELECT f, Rel.f FROM Obj [WHERE …]
 * [ORDER BY f [ASC|DESC] [NULLS FIRST|LAST], …] [LIMIT n] [OFFSET n]`, with `=`, `!=`, `<>`, `<`, `<=`,
 * `>`, `>=`, `LIKE`, `[NOT] IN (…)`, `AND`, `OR`, `NOT` and parentheses, and literals: quoted strings with
 * SOQL's escapes, numbers, `true`/`false`/`null`, dates and date-times. Anything else is MALFORMED_QUERY,
 * worded so a test failing on it says the fake (not Salesforce) lacks the feature.
 */
import { RequestRefusal } from './fake-errors.ts';

export type Literal = string | number | boolean | null;

export type Condition =
  | { kind: 'and' | 'or'; left: Condition; right: Condition }
  | { kind: 'not'; inner: Condition }
  | { kind: 'compare'; field: string; op: '=' | '!=' | '<' | '<=' | '>' | '>=' | 'like'; value: Literal }
  | { kind: 'in'; field: string; negated: boolean; values: Literal[] };

export interface SoqlQuery {
  fields: string[];
  object: string;
  where: Condition | undefined;
  orderBy: { field: string; descending: boolean; nullsLast: boolean }[];
  limit: number | undefined;
  offset: number | undefined;
  /** `SELECT COUNT() FROM …` */
  count: boolean;
}

type Token =
  | { type: 'name'; text: string; at: number }
  | { type: 'string'; value: string; at: number }
  | { type: 'number'; value: number; at: number }
  | { type: 'punct'; text: string; at: number };

const ESCAPES: Record<string, string> = {
  n: '\n',
  r: '\r',
  t: '\t',
  b: '\b',
  f: '\f',
  "'": "'",
  '"': '"',
  '\\': '\\',
  _: '\\_',
  '%': '\\%',
};

export function malformed(soql: string, at: number, why: string): RequestRefusal {
  return new RequestRefusal(
    400,
    'MALFORMED_QUERY',
    `\n${soql}\n${' '.repeat(Math.max(0, at))}^\nERROR at Row:1:Column:${at + 1}\n${why}`,
  );
}

function tokenize(soql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < soql.length) {
    const ch = soql.charAt(i);
    if (/\s/.test(ch)) {
      i += 1;
    } else if (ch === "'") {
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= soql.length) throw malformed(soql, i, 'unterminated string literal');
        const c = soql.charAt(j);
        if (c === '\\') {
          const escaped = ESCAPES[soql.charAt(j + 1)];
          if (escaped === undefined) {
            throw malformed(soql, j, `invalid escape sequence \\${soql.charAt(j + 1)}`);
          }
          value += escaped;
          j += 2;
        } else if (c === "'") {
          break;
        } else {
          value += c;
          j += 1;
        }
      }
      tokens.push({ type: 'string', value, at: i });
      i = j + 1;
    } else if (/[-0-9]/.test(ch) && /^-?\d/.test(soql.slice(i))) {
      const match = /^-?\d{4}-\d{2}-\d{2}(?:T[0-9:.]+(?:Z|[+-]\d{2}:?\d{2}))?|^-?\d+(?:\.\d+)?/.exec(
        soql.slice(i),
      );
      const text = match?.[0] ?? ch;
      tokens.push(
        /^-?\d+(?:\.\d+)?$/.test(text)
          ? { type: 'number', value: Number(text), at: i }
          : { type: 'string', value: text, at: i },
      );
      i += text.length;
    } else if (/[A-Za-z_]/.test(ch)) {
      const text = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(soql.slice(i))?.[0] ?? ch;
      tokens.push({ type: 'name', text, at: i });
      i += text.length;
    } else {
      const text = /^(?:!=|<>|<=|>=|[=<>(),])/.exec(soql.slice(i))?.[0];
      if (text === undefined) throw malformed(soql, i, `unexpected character ${JSON.stringify(ch)}`);
      tokens.push({ type: 'punct', text, at: i });
      i += text.length;
    }
  }
  return tokens;
}

class Reader {
  readonly #tokens: Token[];
  readonly #soql: string;
  #pos = 0;

  constructor(soql: string) {
    this.#soql = soql;
    this.#tokens = tokenize(soql);
  }

  peek(): Token | undefined {
    return this.#tokens[this.#pos];
  }

  next(): Token {
    const token = this.#tokens[this.#pos++];
    if (token === undefined) throw malformed(this.#soql, this.#soql.length, 'unexpected end of query');
    return token;
  }

  isKeyword(word: string): boolean {
    const token = this.peek();
    return token?.type === 'name' && token.text.toUpperCase() === word;
  }

  acceptKeyword(word: string): boolean {
    if (!this.isKeyword(word)) return false;
    this.#pos += 1;
    return true;
  }

  expectKeyword(word: string): void {
    const token = this.peek();
    if (!this.acceptKeyword(word)) throw this.error(token, `expecting ${word}`);
  }

  acceptPunct(text: string): boolean {
    const token = this.peek();
    if (token?.type !== 'punct' || token.text !== text) return false;
    this.#pos += 1;
    return true;
  }

  expectPunct(text: string): void {
    const token = this.peek();
    if (!this.acceptPunct(text)) throw this.error(token, `expecting '${text}'`);
  }

  name(): string {
    const token = this.next();
    if (token.type !== 'name') throw this.error(token, 'expecting a field or object name');
    return token.text;
  }

  done(): boolean {
    return this.#pos >= this.#tokens.length;
  }

  error(token: Token | undefined, why: string): RequestRefusal {
    const found =
      token === undefined
        ? 'end of query'
        : token.type === 'name' || token.type === 'punct'
          ? `'${token.text}'`
          : 'a literal';
    return malformed(
      this.#soql,
      token?.at ?? this.#soql.length,
      `${why}, found ${found} (the fake's SOQL reader)`,
    );
  }
}

function literal(reader: Reader): Literal {
  const token = reader.next();
  if (token.type === 'string' || token.type === 'number') return token.value;
  if (token.type === 'name') {
    const word = token.text.toLowerCase();
    if (word === 'true' || word === 'false') return word === 'true';
    if (word === 'null') return null;
  }
  throw reader.error(token, 'expecting a literal value');
}

function comparison(reader: Reader): Condition {
  if (reader.acceptPunct('(')) {
    const inner = orCondition(reader);
    reader.expectPunct(')');
    return inner;
  }
  if (reader.acceptKeyword('NOT')) return { kind: 'not', inner: comparison(reader) };
  const field = reader.name();
  const negated = reader.acceptKeyword('NOT');
  if (reader.acceptKeyword('IN')) {
    reader.expectPunct('(');
    if (reader.isKeyword('SELECT')) {
      throw reader.error(reader.peek(), 'semi-join sub-queries are not supported');
    }
    const values: Literal[] = [literal(reader)];
    while (reader.acceptPunct(',')) values.push(literal(reader));
    reader.expectPunct(')');
    return { kind: 'in', field, negated, values };
  }
  if (negated) throw reader.error(reader.peek(), 'expecting IN after NOT');
  if (reader.acceptKeyword('LIKE')) return { kind: 'compare', field, op: 'like', value: literal(reader) };
  const token = reader.next();
  const ops = ['=', '!=', '<>', '<', '<=', '>', '>='];
  if (token.type !== 'punct' || !ops.includes(token.text)) throw reader.error(token, 'expecting an operator');
  const op = token.text === '<>' ? '!=' : (token.text as '=' | '!=' | '<' | '<=' | '>' | '>=');
  return { kind: 'compare', field, op, value: literal(reader) };
}

function andCondition(reader: Reader): Condition {
  let left = comparison(reader);
  while (reader.acceptKeyword('AND')) left = { kind: 'and', left, right: comparison(reader) };
  return left;
}

function orCondition(reader: Reader): Condition {
  let left = andCondition(reader);
  while (reader.acceptKeyword('OR')) left = { kind: 'or', left, right: andCondition(reader) };
  return left;
}

function integer(reader: Reader): number {
  const token = reader.next();
  if (token.type !== 'number' || !Number.isInteger(token.value) || token.value < 0) {
    throw reader.error(token, 'expecting a non-negative integer');
  }
  return token.value;
}

export function parseSoql(soql: string): SoqlQuery {
  const reader = new Reader(soql);
  reader.expectKeyword('SELECT');
  const fields: string[] = [];
  let count = false;
  if (reader.isKeyword('COUNT')) {
    reader.next();
    reader.expectPunct('(');
    reader.expectPunct(')');
    count = true;
  } else {
    fields.push(reader.name());
    while (reader.acceptPunct(',')) fields.push(reader.name());
  }
  reader.expectKeyword('FROM');
  const object = reader.name();
  const where = reader.acceptKeyword('WHERE') ? orCondition(reader) : undefined;
  const orderBy: SoqlQuery['orderBy'] = [];
  if (reader.acceptKeyword('ORDER')) {
    reader.expectKeyword('BY');
    do {
      const field = reader.name();
      const descending = reader.acceptKeyword('DESC') || (reader.acceptKeyword('ASC') && false);
      let nullsLast = descending;
      if (reader.acceptKeyword('NULLS')) {
        nullsLast = reader.acceptKeyword('LAST');
        if (!nullsLast) reader.expectKeyword('FIRST');
      }
      orderBy.push({ field, descending, nullsLast });
    } while (reader.acceptPunct(','));
  }
  const limit = reader.acceptKeyword('LIMIT') ? integer(reader) : undefined;
  const offset = reader.acceptKeyword('OFFSET') ? integer(reader) : undefined;
  if (!reader.done()) throw reader.error(reader.peek(), 'unexpected token');
  return { fields, object, where, orderBy, limit, offset, count };
}

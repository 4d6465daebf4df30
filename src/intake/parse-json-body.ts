/**
 * A signed body as JSON, refusing what could not be stored exactly as sent: bytes that are not UTF-8 (never
 * decoded lossily into U+FFFD), and strings (keys included) holding U+0000 or an unpaired UTF-16 surrogate.
 * PostgreSQL refuses NUL in text and jsonb, and both stores encode a lone surrogate as U+FFFD, so two signal ids
 * differing only there would collide and one signal would be lost as a "duplicate".
 *
 * The hot path is one fatal TextDecoder pass (the validation and the decoding in one) and JSON.parse. Valid
 * UTF-8 cannot encode a surrogate, and JSON forbids a raw NUL inside a string, so both can only arrive through a
 * `\u` escape: the slower reviver that looks for them (and for `__proto__` keys) runs only when the text has one.
 */
import type { FieldError } from './problem.ts';
import { jsonPointer } from './problem.ts';

export type ParsedJson =
  | { ok: true; value: unknown }
  | { ok: false; code: 'json_malformed' | 'payload_invalid'; detail: string; errors?: FieldError[] };

// Stateless between calls (no streaming), so one instance serves every request. A leading BOM is skipped.
const UTF8 = new TextDecoder('utf-8', { fatal: true });

export function parseJsonBody(body: Uint8Array): ParsedJson {
  let text: string;
  try {
    text = UTF8.decode(body);
  } catch {
    return {
      ok: false,
      code: 'json_malformed',
      detail: 'the body is not valid UTF-8: send JSON encoded as UTF-8 (RFC 8259)',
    };
  }
  if (text.trim() === '') {
    return { ok: false, code: 'json_malformed', detail: 'the body is empty: send a JSON object' };
  }
  try {
    if (!text.includes('__proto__') && !text.includes('\\u')) return { ok: true, value: JSON.parse(text) };
    let poisoned = false;
    let unstorable = false;
    const value: unknown = JSON.parse(text, (key, item: unknown) => {
      if (key === '__proto__') poisoned = true;
      if (!storable(key) || (typeof item === 'string' && !storable(item))) unstorable = true;
      return item;
    });
    if (poisoned) {
      return { ok: false, code: 'payload_invalid', detail: '"__proto__" is not accepted as a key' };
    }
    if (unstorable) {
      const errors = unstorableFields(value);
      return {
        ok: false,
        code: 'payload_invalid',
        detail: `${errors.length === 1 ? '1 field holds' : `${errors.length} fields hold`} characters that cannot be stored exactly`,
        errors,
      };
    }
    return { ok: true, value };
  } catch (error) {
    return {
      ok: false,
      code: 'json_malformed',
      detail: `the body is not valid JSON: ${(error as Error).message}`,
    };
  }
}

function storable(text: string): boolean {
  return text.isWellFormed() && !text.includes('\0');
}

function problemWith(text: string): string {
  return text.includes('\0')
    ? 'contains U+0000 (NUL), which cannot be stored: remove it'
    : 'contains an unpaired UTF-16 surrogate (a \\uD800-\\uDFFF escape without its pair), which cannot be stored exactly: send whole characters';
}

/** Where the unstorable strings are (only walked once the reviver found one, so the common path never pays). */
function unstorableFields(root: unknown): FieldError[] {
  const errors: FieldError[] = [];
  const visit = (value: unknown, path: (string | number)[]): void => {
    if (typeof value === 'string') {
      if (!storable(value)) errors.push({ pointer: jsonPointer(path), message: problemWith(value) });
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => visit(item, [...path, index]));
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value)) {
        if (!storable(key)) {
          errors.push({ pointer: jsonPointer([...path, key]), message: `the key ${problemWith(key)}` });
        } else {
          visit(item, [...path, key]);
        }
      }
    }
  };
  visit(root, []);
  return errors;
}

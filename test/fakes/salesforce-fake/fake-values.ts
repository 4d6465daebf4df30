/**
 * A JSON value written to a field → the value the org stores, or the refusal Salesforce gives. A value the
 * JSON reader cannot turn into the field's type (text into a number) fails the whole request with
 * JSON_PARSER_ERROR; a value of the right type that breaks a rule (too long, not in a restricted picklist,
 * not an email) fails only its record.
 */
import { RecordRefusal, RequestRefusal } from './fake-errors.ts';
import type { FakeField } from './fake-schema.ts';

export type StoredValue = string | number | boolean | null;

function parserError(field: FakeField, value: unknown, javaType: string): RequestRefusal {
  return new RequestRefusal(
    400,
    'JSON_PARSER_ERROR',
    `Cannot deserialize instance of ${javaType} from VALUE_STRING value ${JSON.stringify(value)} or request may be missing a required field (field ${field.name})`,
  );
}

function checkText(field: FakeField, text: string): string {
  if (text.length > field.length) {
    throw new RecordRefusal(
      'STRING_TOO_LONG',
      `${field.label}: data value too large: ${text.slice(0, 40)} (max length=${field.length})`,
      [field.name],
    );
  }
  return text;
}

function checkPicklist(field: FakeField, text: string): string {
  const allowed = field.picklistValues.find((v) => v === text);
  if (field.restrictedPicklist && allowed === undefined) {
    throw new RecordRefusal(
      'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      `${field.label}: bad value for restricted picklist field: ${text}`,
      [field.name],
    );
  }
  return checkText(field, text);
}

/** Converts `value` for `field`; an empty string clears the field, as in Salesforce. */
export function coerceValue(field: FakeField, input: unknown): StoredValue {
  if (input === null || input === '') return null;
  if (typeof input !== 'string' && typeof input !== 'number' && typeof input !== 'boolean') {
    throw parserError(field, input, 'String');
  }
  const value: string | number | boolean = input;
  switch (field.type) {
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      throw parserError(field, value, 'boolean');
    case 'double':
    case 'currency':
    case 'percent':
    case 'int': {
      const number = typeof value === 'number' ? value : Number(String(value).trim());
      if (typeof value === 'boolean' || !Number.isFinite(number) || String(value).trim() === '') {
        throw parserError(field, value, field.type === 'int' ? 'int' : 'double');
      }
      if (field.type === 'int' && !Number.isInteger(number)) throw parserError(field, value, 'int');
      return number;
    }
    case 'date': {
      const text = String(value);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(Date.parse(text))) {
        throw parserError(field, value, 'java.util.Date');
      }
      return text;
    }
    case 'datetime': {
      const text = String(value);
      if (Number.isNaN(Date.parse(text))) throw parserError(field, value, 'java.util.Calendar');
      return new Date(text).toISOString().replace('Z', '+0000');
    }
    case 'picklist':
      return checkPicklist(field, String(value));
    case 'multipicklist': {
      const text = String(value);
      for (const item of text.split(';')) checkPicklist(field, item);
      return checkText(field, text);
    }
    case 'email': {
      const text = String(value);
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text)) {
        throw new RecordRefusal('INVALID_EMAIL_ADDRESS', `${field.label}: invalid email address: ${text}`, [
          field.name,
        ]);
      }
      return checkText(field, text);
    }
    default:
      return checkText(field, String(value));
  }
}

/** SOQL and JSON answers spell a stored value as Salesforce does. */
export function comparableText(value: StoredValue): string {
  return value === null ? '' : String(value);
}

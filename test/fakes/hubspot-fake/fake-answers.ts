/** Answer and error bodies shaped like HubSpot's, shared by the fake's handlers. */
export interface FakeAnswer {
  status: number;
  body: unknown;
}

let correlation = 0;

export function errorBody(
  category: string,
  message: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  correlation += 1;
  return { status: 'error', message, correlationId: `fake-${correlation}`, category, ...extra };
}

export function refuse(
  status: number,
  category: string,
  message: string,
  extra: Record<string, unknown> = {},
): FakeAnswer {
  return { status, body: errorBody(category, message, extra) };
}

/**
 * An unknown property, as HubSpot reports it: the details as JSON inside `message`, and again in `errors[]`
 * with the property name in the context.
 */
export function propertyMissingBody(
  property: string,
  context?: Record<string, string[]>,
): Record<string, unknown> {
  const detail = {
    isValid: false,
    message: `Property "${property}" does not exist`,
    error: 'PROPERTY_DOESNT_EXIST',
    name: property,
  };
  return errorBody('VALIDATION_ERROR', `Property values were not valid: ${JSON.stringify([detail])}`, {
    ...(context === undefined ? {} : { context }),
    errors: [
      { message: detail.message, code: 'PROPERTY_DOESNT_EXIST', context: { propertyName: [property] } },
    ],
  });
}

/** 200 when every input went through, 207 Multi-Status with errors[] and numErrors otherwise. */
export function batchAnswer(results: unknown[], errors: unknown[], startedAt: string): FakeAnswer {
  const body = { status: 'COMPLETE', results, startedAt, completedAt: new Date().toISOString() };
  return errors.length === 0
    ? { status: 200, body }
    : { status: 207, body: { ...body, numErrors: errors.length, errors } };
}

/** `{inputs: [...]}` or undefined when the body does not have that shape. */
export function inputsOf(body: unknown): Record<string, unknown>[] | undefined {
  const inputs = (body as { inputs?: unknown } | undefined)?.inputs;
  if (!Array.isArray(inputs) || inputs.some((i) => typeof i !== 'object' || i === null)) return undefined;
  return inputs as Record<string, unknown>[];
}

/** A properties object whose values are all strings (HubSpot's API takes strings). */
export function stringProperties(value: unknown): Record<string, string> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const entries = Object.entries(value);
  return entries.every(([, v]) => typeof v === 'string') ? Object.fromEntries(entries) : undefined;
}

export function isString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

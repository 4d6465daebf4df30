/**
 * Reads the zod schema like a map: which keys are allowed at a path, which kind of value a union there
 * wants. zod's issues say *where* a value failed but not what the surrounding object allows, and a
 * "did you mean" needs exactly that.
 */
import { z } from 'zod';

type Segment = PropertyKey;
type AnySchema = z.core.$ZodType;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Strips wrappers that do not change which keys are allowed: optional, default, pipes … */
export function unwrap(schema: AnySchema): AnySchema {
  let current = schema;
  for (;;) {
    if (
      current instanceof z.ZodOptional ||
      current instanceof z.ZodNullable ||
      current instanceof z.ZodDefault ||
      current instanceof z.ZodPrefault ||
      current instanceof z.ZodNonOptional ||
      current instanceof z.ZodReadonly ||
      current instanceof z.ZodCatch
    ) {
      current = current.unwrap();
    } else if (current instanceof z.ZodPipe) {
      current = current.in;
    } else if (current instanceof z.ZodLazy) {
      current = current.unwrap();
    } else {
      return current;
    }
  }
}

function enumValues(schema: AnySchema): string[] {
  const inner = unwrap(schema);
  if (inner instanceof z.ZodEnum) return inner.options.map(String);
  if (inner instanceof z.ZodLiteral) return [...inner.values].map(String);
  if (inner instanceof z.ZodUnion) return (inner.options as AnySchema[]).flatMap(enumValues);
  return [];
}

/** The keys an object schema allows; for a record keyed by an enum, that enum; undefined when keys are free. */
export function objectKeys(schema: AnySchema): string[] | undefined {
  const inner = unwrap(schema);
  if (inner instanceof z.ZodObject) return Object.keys(inner.shape);
  if (inner instanceof z.ZodRecord) {
    const keys = enumValues(inner.keyType);
    return keys.length > 0 ? keys : undefined;
  }
  return undefined;
}

export function unionOptions(schema: AnySchema): AnySchema[] | undefined {
  const inner = unwrap(schema);
  return inner instanceof z.ZodUnion ? (inner.options as AnySchema[]) : undefined;
}

/**
 * The branch of a union that the written value is trying to be: by discriminator when the union has one,
 * otherwise the branch sharing the most keys with the value. Undefined when nothing points at a branch.
 */
export function chooseOption(schema: AnySchema, value: unknown): AnySchema | undefined {
  const inner = unwrap(schema);
  if (!(inner instanceof z.ZodUnion) || !isPlainObject(value)) return undefined;
  const options = inner.options as AnySchema[];
  const discriminator = (inner.def as { discriminator?: string }).discriminator;
  if (discriminator !== undefined) {
    return options.find((option) => {
      const shape = unwrap(option);
      return (
        shape instanceof z.ZodObject &&
        enumValues(shape.shape[discriminator] as AnySchema).includes(String(value[discriminator]))
      );
    });
  }
  let best: { option: AnySchema; overlap: number } | undefined;
  for (const option of options) {
    const keys = objectKeys(option) ?? [];
    const overlap = Object.keys(value).filter((k) => keys.includes(k)).length;
    if (overlap > 0 && (best === undefined || overlap > best.overlap)) best = { option, overlap };
  }
  return best?.option;
}

function child(value: unknown, segment: Segment): unknown {
  if (Array.isArray(value) && typeof segment === 'number') return value[segment];
  if (isPlainObject(value) && typeof segment === 'string') return value[segment];
  return undefined;
}

/** The schema that validates the value at `path`, following union branches by what the input says. */
export function schemaAt(root: AnySchema, path: readonly Segment[], input: unknown): AnySchema | undefined {
  let schema: AnySchema = unwrap(root);
  let value = input;
  for (const segment of path) {
    if (unionOptions(schema)) {
      const chosen = chooseOption(schema, value);
      if (!chosen) return undefined;
      schema = unwrap(chosen);
    }
    if (schema instanceof z.ZodObject && typeof segment === 'string') {
      const next = (schema.shape as Record<string, AnySchema | undefined>)[segment];
      if (!next) return undefined;
      schema = next;
    } else if (schema instanceof z.ZodRecord) {
      schema = schema.valueType;
    } else if (schema instanceof z.ZodArray) {
      schema = schema.element;
    } else {
      return undefined;
    }
    schema = unwrap(schema);
    value = child(value, segment);
  }
  return schema;
}

/** Keys allowed by the object at `path`, or undefined when the schema leaves them free. */
export function knownKeysAt(
  root: AnySchema,
  path: readonly Segment[],
  input: unknown,
  value: unknown,
): string[] | undefined {
  const schema = schemaAt(root, path, input);
  if (!schema) return undefined;
  return objectKeys(chooseOption(schema, value) ?? schema);
}

/** A secret reference is a union of `{ env }` and `{ file }`: recognised by shape, wherever it is used. */
export function isSecretReference(schema: AnySchema | undefined): boolean {
  const options = schema ? unionOptions(schema) : undefined;
  if (!options || options.length === 0) return false;
  const keys = options.map((o) => (objectKeys(o) ?? []).join(','));
  return keys.every((k) => k === 'env' || k === 'file') && keys.includes('env');
}

/** The keys that tell the branches of a union of objects apart, e.g. from / const / template. */
export function branchKeys(schema: AnySchema): string[][] | undefined {
  const options = unionOptions(schema);
  if (!options) return undefined;
  const keySets = options.map((o) => objectKeys(o));
  if (keySets.some((k) => k === undefined)) return undefined;
  const all = keySets as string[][];
  return all.map((keys) => keys.filter((k) => all.filter((other) => other.includes(k)).length === 1));
}

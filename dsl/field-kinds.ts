/**
 * Which fields are known, at build time, to hold something other than numbers:
 * sum, min, max and avg refuse them with a BuildError. Untyped JavaScript (or a
 * stream typed `any`) gets no help from TypeScript, so this is its check. A
 * field whose kind cannot be told (a transform, a custom schema, values of
 * mixed types) is left to the run, which dead-letters a record whose field is
 * not a number.
 */

/** Zod schema types that never produce a number. Wrappers (optional, nullable, default…) are looked through. */
const nonNumericZodTypes = new Set([
  'string',
  'boolean',
  'date',
  'enum',
  'object',
  'array',
  'tuple',
  'record',
  'map',
  'set',
  'bigint',
  'symbol',
  'null',
  'undefined',
  'void',
  'nan',
  'template_literal',
]);
const wrappers = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional']);

interface ZodLike {
  readonly _zod?: {
    readonly def?: { readonly type?: string; readonly innerType?: ZodLike; readonly values?: readonly unknown[] };
  };
}

/** A field's kind from its zod definition: 'other' only when it certainly is not a number. */
function zodKind(schema: ZodLike | undefined, depth = 0): string {
  const def = schema?._zod?.def;
  if (!def?.type || depth > 8) return 'unknown';
  if (wrappers.has(def.type)) return zodKind(def.innerType, depth + 1);
  if (def.type === 'literal') return def.values?.every((v) => typeof v !== 'number') === true ? 'literal' : 'unknown';
  return nonNumericZodTypes.has(def.type) ? def.type : 'unknown';
}

/** Fields of a zod object schema that cannot hold numbers, with what they hold. Other Standard Schemas: none known. */
export function nonNumericFieldsOfSchema(schema: unknown): Readonly<Record<string, string>> {
  const shape = (schema as { shape?: unknown } | undefined)?.shape;
  if (!shape || typeof shape !== 'object') return {};
  const found: Record<string, string> = {};
  for (const [field, fieldSchema] of Object.entries(shape as Record<string, ZodLike>)) {
    const kind = zodKind(fieldSchema);
    if (kind !== 'unknown') found[field] = kind;
  }
  return found;
}

/** Fields of in-memory records whose every present value (in the first 100) is not a number. */
export function nonNumericFieldsOfRecords(records: readonly unknown[]): Readonly<Record<string, string>> {
  const kinds = new Map<string, Set<string>>();
  for (const record of records.slice(0, 100)) {
    if (!record || typeof record !== 'object') return {};
    for (const [field, value] of Object.entries(record)) {
      if (value === undefined || value === null) continue;
      const set = kinds.get(field) ?? new Set<string>();
      set.add(value instanceof Date ? 'date' : typeof value);
      kinds.set(field, set);
    }
  }
  const found: Record<string, string> = {};
  for (const [field, set] of kinds) if (!set.has('number')) found[field] = [...set].join(' or ');
  return found;
}

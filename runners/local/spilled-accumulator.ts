/**
 * An aggregate's accumulator as a spill line holds it. JSON, as checkpoints
 * keep state, but with the numbers JSON cannot write (a min's Infinity, a
 * sum over a NaN field) kept as such: JSON would turn them into null, and
 * merging null counts as 0.
 */
export function encodeAccumulator(acc: unknown): unknown {
  if (typeof acc === 'number') return Number.isFinite(acc) ? acc : { $idemflowNumber: String(acc) };
  if (Array.isArray(acc)) return acc.map(encodeAccumulator);
  if (acc !== null && typeof acc === 'object' && Object.getPrototypeOf(acc) === Object.prototype)
    return Object.fromEntries(Object.entries(acc).map(([k, v]) => [k, encodeAccumulator(v)]));
  return acc;
}

const isNumberBox = (v: object): v is { $idemflowNumber: string } =>
  Object.keys(v).length === 1 && typeof (v as { $idemflowNumber?: unknown }).$idemflowNumber === 'string';

export function decodeAccumulator(encoded: unknown): unknown {
  if (Array.isArray(encoded)) return encoded.map(decodeAccumulator);
  if (encoded !== null && typeof encoded === 'object') {
    if (isNumberBox(encoded)) return Number(encoded.$idemflowNumber);
    return Object.fromEntries(Object.entries(encoded).map(([k, v]) => [k, decodeAccumulator(v)]));
  }
  return encoded;
}

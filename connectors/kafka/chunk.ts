/** Consecutive records of one partition, in offset order: how fetches arrive and how the buffer keeps them. */
export interface Chunk {
  readonly partition: number;
  readonly offsets: Float64Array;
  readonly values: readonly string[];
}

export const chunkSlice = (c: Chunk, from: number, to = c.offsets.length): Chunk => ({
  partition: c.partition,
  offsets: c.offsets.subarray(from, to),
  values: c.values.slice(from, to),
});

/** The index of the first offset ≥ `offset` (offsets increase within a chunk); the length when none is. */
export function firstAtOrAfter(offsets: Float64Array, offset: number): number {
  let lo = 0;
  let hi = offsets.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (offsets[mid]! < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The part of a chunk at or after a partition's offset: the chunk itself, a slice, or nothing. */
export function fromOffset(c: Chunk, offset: number): Chunk | undefined {
  const i = firstAtOrAfter(c.offsets, offset);
  return i === 0 ? c : i < c.offsets.length ? chunkSlice(c, i) : undefined;
}

export const recordsIn = (chunks: readonly Chunk[]): number => chunks.reduce((n, c) => n + c.offsets.length, 0);

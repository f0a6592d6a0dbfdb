import type { SourceReader } from './source-reader.ts';

/** Reads an in-memory array; the position is the next index. */
export function memorySource(records: readonly unknown[], from: unknown): SourceReader {
  let next = typeof from === 'number' ? from : 0;
  return {
    async read(max) {
      const start = next;
      next = Math.min(records.length, next + max);
      return {
        values: records.slice(start, next),
        position: (i) => `memory#${start + i}`,
        done: next >= records.length,
      };
    },
    position: () => next,
    async close() {},
  };
}

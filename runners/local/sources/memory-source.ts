import type { SourceReader } from './source-reader.ts';

/** Reads an in-memory array; the position is the next index. */
export function memorySource(records: readonly unknown[], from: unknown): SourceReader {
  let next = typeof from === 'number' ? from : 0;
  return {
    async read(max) {
      const end = Math.min(records.length, next + max);
      const batch = [];
      for (let i = next; i < end; i++) batch.push({ raw: records[i], position: `memory#${i}` });
      next = end;
      return { records: batch, done: next >= records.length };
    },
    position: () => next,
    async close() {},
  };
}

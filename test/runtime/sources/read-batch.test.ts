import { describe, expect, it } from 'vitest';
import { readBatch } from '../../../runtime/sources/read-batch.ts';
import type { SourceBatch, SourceReader } from '../../../runtime/sources/source-reader.ts';

/** A stream source that delivers in small reads, as a Kafka consumer whose buffer runs short does. */
function shortReads(reads: readonly { split: number; values: number[] }[]): SourceReader {
  let next = 0;
  return {
    async read(): Promise<SourceBatch> {
      const r = reads[next++];
      if (!r) return { values: [], position: () => '', done: false, split: () => 0, pendingSplits: () => [0, 1] };
      return {
        values: r.values,
        position: (i) => `p${r.split}#${i}`,
        split: () => r.split,
        pendingSplits: () => [0, 1],
        done: false,
      };
    },
    position: () => next,
    close: async () => {},
  };
}

describe('a streaming batch assembled from several reads', () => {
  it("keeps each record's position and split (Kafka partition), and the partitions still pending", async () => {
    const reader = shortReads([
      { split: 0, values: [10, 11] },
      { split: 1, values: [20, 21, 22] },
    ]);
    const batch = await readBatch(reader, {
      batchSize: 100,
      bounded: false,
      intervalMs: 200,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    });
    expect(batch.values).toEqual([10, 11, 20, 21, 22]);
    expect([0, 1, 2, 3, 4].map((i) => batch.position(i))).toEqual(['p0#0', 'p0#1', 'p1#0', 'p1#1', 'p1#2']);
    // Without these the watermark followed the fastest partition and the slower one's records turned late.
    expect([0, 1, 2, 3, 4].map((i) => batch.split?.(i))).toEqual([0, 0, 1, 1, 1]);
    expect(batch.pendingSplits?.()).toEqual([0, 1]);
  });

  it("a bounded source's read is the batch as it is", async () => {
    const reader = shortReads([
      { split: 0, values: [1] },
      { split: 1, values: [2] },
    ]);
    const batch = await readBatch(reader, { batchSize: 100, bounded: true, intervalMs: 200, sleep: async () => {} });
    expect(batch.values).toEqual([1]);
  });
});

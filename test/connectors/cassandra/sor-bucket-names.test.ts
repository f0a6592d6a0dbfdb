import { describe, expect, it } from 'vitest';
import { embedded, source } from 'idemflow';
import { bucketById, idHash, sorBucket } from '../../../connectors/cassandra/sor-bucket.ts';

/** The block buckets as named since the block layout: they name stored partitions, so they never change. */
const slotName = (ms: number) => new Date(ms - (((ms % 600_000) + 600_000) % 600_000)).toISOString().slice(0, 16);

describe('block bucket names, made once a slot instead of once an event', () => {
  it('are the very names of before: slot and id bucket, no-time, and the ids alone', () => {
    const pipeline = source
      .memory<{ id: string; ts: unknown }>([])
      .archive(embedded.systemOfRecord({ table: 'events', id: 'id' }))
      .withEventTime((e) => e.ts as number)
      .groupBy('id')
      .count()
      .sink(embedded.upsert({ table: 'counts', key: { id: 'key' }, values: { n: 'value' } })).ir;
    const bucketing = sorBucket(pipeline);
    for (let i = 0; i < 5_000; i++) {
      const id = `e${i * 7_919}`;
      // Slots before the epoch and after, back and forth, as a replay or late events go.
      const ts = (i % 3 === 0 ? -1 : 1) * (i * 97_531 + (i % 2) * 3_600_000);
      expect(bucketing.block({ id, ts }, id)).toBe(`${slotName(ts)}/b${idHash(id) % 16}`);
      expect(bucketById.block({ id }, id)).toBe(`id/b${idHash(id) % 64}`);
    }
    expect(bucketing.block({ id: 'x', ts: 'soon' }, 'x')).toBe(`no-time/b${idHash('x') % 16}`);
  });
});

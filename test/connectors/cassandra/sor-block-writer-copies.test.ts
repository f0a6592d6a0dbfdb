import { describe, expect, it } from 'vitest';
import type { Client } from 'cassandra-driver';
import { SorBlockWriter } from '../../../connectors/cassandra/sor-block-writer.ts';
import { decodeBlock } from '../../../connectors/cassandra/sor-blocks.ts';

/** A client that keeps each block inserted ([bucket, block, n, bytes, events]) and holds no partition yet. */
function recordingClient() {
  const inserted: unknown[][] = [];
  const client = {
    execute: (_cql: string, params: unknown[]) => (inserted.push(params), Promise.resolve()),
    stream: () => (async function* () {})(),
  } as unknown as Client;
  return { client, inserted };
}

/** The copies a batch's writes stored of each id: [bucket, event] each. */
async function copiesWritten(ids: string[], events: unknown[], buckets: string[], idField?: string) {
  const { client, inserted } = recordingClient();
  const writer = new SorBlockWriter(client, 'ks', 't', undefined, () => {}, 'blocks');
  await writer.write({ ids, events, buckets, ...(idField && { idField }) });
  const copies = new Map<string, [string, unknown][]>();
  for (const [bucket, block, , , text] of inserted)
    for (const [id, event] of decodeBlock(String(bucket), String(block), text)) {
      if (!copies.has(id)) copies.set(id, []);
      copies.get(id)!.push([String(bucket), event]);
    }
  return copies;
}

describe('one id twice in a batch, in two partitions (its event time differs)', () => {
  it('stores the batch’s last copy only: which block lands last is no longer what decides', async () => {
    // Before: a copy in each partition, both blocks written concurrently; the one whose write came last
    // (by Cassandra's write time, not by the batch) won on every read. Seen on the real Cassandra: the first copy.
    for (const idField of [undefined, 'id']) {
      const events = [
        { id: 'y', v: 0 },
        { id: 'x', v: 'first' },
        { id: 'z', v: 1 },
        { id: 'x', v: 'last' },
        { id: 'x', v: 'last of slot b' },
        { id: 'x', v: 'really last' },
      ];
      const buckets = ['b', 'a', 'a', 'b', 'b', 'c'];
      const copies = await copiesWritten(
        events.map((e) => e.id),
        events,
        buckets,
        idField,
      );
      expect(copies.get('x')).toEqual([['c', { id: 'x', v: 'really last' }]]);
      expect([...copies.keys()].sort()).toEqual(['x', 'y', 'z']);
    }
  });

  it('stores each id once, its last copy, of 5,000 events of 3,000 ids over 7 partitions', async () => {
    const ids = Array.from({ length: 5_000 }, (_, i) => `e${i % 3_000}`);
    const events = ids.map((id, i) => ({ id, i }));
    const buckets = ids.map((_, i) => `p${i % 7}`);
    const copies = await copiesWritten(ids, events, buckets, 'id');
    expect(copies.size).toBe(3_000);
    for (const [id, held] of copies) {
      const last = ids.lastIndexOf(id);
      expect(held).toEqual([[buckets[last], { id, i: last }]]);
    }
  });
});

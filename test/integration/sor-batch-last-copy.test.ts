import { describe, expect, it } from 'vitest';
import { idHash, slotBuckets } from '../../connectors/cassandra/sor-bucket.ts';
import { archived, archiving, writerOf, type Reading } from './archived.ts';
import { cassandraClient, runId } from './servers.ts';

const keyspace = 'idemflow_it';
const [slotA, slotB] = [1_700_000_000_000, 1_700_000_000_000 + 3_600_000];
const idBucket = (id: string) => idHash(id) % slotBuckets;

describe('one id twice in a batch, in two partitions: the last copy is the one every reader keeps', () => {
  it('keeps the batch’s last copy even when the partition holding it is written first', async () => {
    // Before: both copies were stored, one block each, written side by side; the reader kept the one written
    // last, which was the first copy in one run of three here (write times 1 µs apart).
    const table = `sor_lastcopy_${runId()}`;
    const client = await cassandraClient();
    try {
      const pipeline = archiving(table);
      // X's first copy in slot A's partition (with many neighbours, a larger block), its last in slot B's,
      // which comes first in the batch through a neighbour of the same id bucket.
      const x = 'x';
      const near = (slot: number, n: number, prefix: string) => {
        const out: Reading[] = [];
        for (let k = 0; out.length < n; k++)
          if (idBucket(`${prefix}${k}`) === idBucket(x))
            out.push({ eventId: `${prefix}${k}`, sensorId: 'n', ts: slot });
        return out;
      };
      const batch: Reading[] = [
        ...near(slotB, 1, 'b'),
        ...near(slotA, 2_000, 'a'),
        { eventId: x, sensorId: 'first', ts: slotA },
        { eventId: x, sensorId: 'last', ts: slotB },
      ];
      await (
        await writerOf(client, pipeline)
      ).archive(
        batch.map((e) => e.eventId),
        batch,
      );
      const read = await archived(client, keyspace, table);
      expect(read.length).toBe(2_002);
      expect(read.find((e) => e.eventId === x)?.event).toEqual({ eventId: x, sensorId: 'last', ts: slotB });
    } finally {
      await client.shutdown();
    }
  }, 120_000);
});

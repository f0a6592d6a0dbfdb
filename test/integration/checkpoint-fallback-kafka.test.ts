import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { embedded, source } from 'idemflow';
import { kafkaClientConfig } from '../../connectors/kafka/kafka-input.ts';
import { produceLines } from '../../connectors/kafka/produce.ts';
import { EmbeddedStore } from '../../connectors/embedded/store.ts';
import { runLocal } from '../../runners/local/index.ts';
import { stateFolder, type StateChain } from '../../runners/local/state-files.ts';
import { generatedEvent } from '../../runtime/sources/generator-source.ts';
import { SensorReading } from '../../pipelines/schemas.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { generatorDefaults, tableCounts } from '../helpers/truth.ts';
import { brokers, runId } from './servers.ts';

const settings = { seed: 41, count: 1_200, keys: 30, intervalMs: 1_000, ...generatorDefaults };
const events = Array.from({ length: settings.count }, (_, i) => generatedEvent(settings, i).event);
const truth = new Map<string, number>();
for (const e of events) truth.set(JSON.stringify([e.sensorId]), (truth.get(JSON.stringify([e.sensorId])) ?? 0) + 1);

/** Flips a byte in the body of the `n`-th record (from 0) of the folder's committed delta log. */
function flipDelta(checkpointDir: string, n: number): string {
  const { generation } = (
    JSON.parse(readFileSync(join(checkpointDir, 'checkpoint.json'), 'utf8')) as { state: StateChain }
  ).state;
  const log = join(stateFolder(checkpointDir), `deltas-${String(generation).padStart(8, '0')}.log`);
  const bytes = readFileSync(log);
  let offset = 0;
  for (let i = 0; i < n; i++) {
    const newline = bytes.indexOf(0x0a, offset);
    offset =
      newline + 1 + (JSON.parse(bytes.subarray(offset, newline).toString('utf8')) as { bytes: number }).bytes + 1;
  }
  bytes[bytes.indexOf(0x0a, offset) + 5]! ^= 1;
  writeFileSync(log, bytes);
  return log;
}

/**
 * Past a damaged delta, a Kafka pipeline goes back to the last whole
 * checkpoint only while the topic still holds every record from its offsets:
 * on the real broker, once as it is, once after records were deleted
 * (what retention does).
 */
describe('a damaged delta on a Kafka pipeline (real Kafka)', () => {
  it('goes back and ends exact while the topic holds the records; stops naming the partition once they are deleted', async () => {
    const id = runId();
    const topic = `it-fallback-${id}`;
    const admin = new Kafka(kafkaClientConfig('it-fallback-admin', brokers)).admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
      await produceLines(
        brokers,
        topic,
        events.map((e) => JSON.stringify(e)),
      );
      const folders = [0, 1].map((i) => {
        const dir = tempDir();
        const store = new EmbeddedStore(join(dir, 'store'));
        const checkpointDir = join(dir, 'ckpt');
        const pipeline = source
          .kafka({ brokers, topic, groupId: `it-fallback-${id}-${i}` })
          .parse(SensorReading)
          .groupBy('sensorId')
          .count()
          .sink(embedded.upsert({ table: 'counts', key: { s: 'key' }, values: { n: 'value' } })).ir;
        const lines: string[] = [];
        const run = () =>
          runLocal(pipeline, {
            store,
            checkpointDir,
            batchSize: 100,
            batchIntervalMs: 1_000,
            untilIdleMs: 3_000,
            log: (l) => lines.push(l),
          });
        return { store, checkpointDir, lines, run };
      });
      for (const f of folders) {
        expect((await f.run()).recordsIn).toBe(settings.count);
        // Late in the chain: by then both partitions have been read (an earlier checkpoint naming one only is refused).
        flipDelta(f.checkpointDir, 10);
      }

      const [safe, deleted] = folders as [(typeof folders)[0], (typeof folders)[0]];
      const again = await safe.run();
      expect(safe.lines.join('\n')).toMatch(
        /fails its checksum: its delta .*: went back to the checkpoint after batch 10/,
      );
      expect(again.resumed?.afterBatch).toBe(10);
      expect(again.recordsIn).toBeGreaterThan(0);
      expect(tableCounts(safe.store, 'counts', 'n')).toEqual(truth);

      // Retention deletes what the earlier checkpoint would read again: going back would lose those records.
      const ends = await admin.fetchTopicOffsets(topic);
      await admin.deleteTopicRecords({
        topic,
        partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })),
      });
      await expect(deleted.run()).rejects.toThrow(
        new RegExp(
          `fails its checksum.*It did not go back to the checkpoint after batch 10, the last one whose state is whole, on its own: partition \\d of ${topic} now starts at offset \\d+, past offset \\d+ where the earlier checkpoint resumes`,
        ),
      );
      expect(tableCounts(deleted.store, 'counts', 'n')).toEqual(truth);
    } finally {
      await admin.disconnect();
    }
  }, 180_000);
});

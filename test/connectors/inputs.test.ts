import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sinks, source, type Stream } from 'idemflow';
import { inputConnectorOf } from '../../connectors/inputs.ts';
import type { SourceReader } from '../../runtime/sources/source-reader.ts';
import { Reading } from '../helpers/fixtures.ts';
import { lineSender } from '../helpers/line-sender.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const counted = (stream: Stream<unknown>) => stream.parse(Reading).groupBy('sensorId').count().sink(sinks.memory()).ir;

/** Reads until the input ends, `max` values a read (more reads than one when the input is larger). */
async function readAll(reader: SourceReader, max: number): Promise<{ values: unknown[]; reads: number }> {
  const values: unknown[] = [];
  let reads = 0;
  for (let i = 0; i < 10_000; i++) {
    const batch = await reader.read(max);
    reads += batch.values.length > 0 ? 1 : 0;
    values.push(...batch.values);
    if (batch.done) return { values, reads };
    if (batch.values.length === 0) await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('the input never ended');
}

describe('stream inputs behind the connector interface', () => {
  it('Kafka and socket sources have an input connector; sources the runtime reads itself have none', async () => {
    const kafka = counted(source.kafka({ brokers: ['127.0.0.1:1'], topic: 't', groupId: 'g' }));
    const socket = counted(source.socket({ host: '127.0.0.1', port: 1 }));
    const kafkaInput = await inputConnectorOf(kafka.source);
    const socketInput = await inputConnectorOf(socket.source);
    expect(kafkaInput?.connector).toBe('kafka');
    expect(socketInput?.connector).toBe('socket');
    // Beam reads Kafka as a batch; a socket has no end to read to.
    expect(kafkaInput && 'readToEnd' in kafkaInput).toBe(true);
    expect(socketInput && 'readToEnd' in socketInput).toBe(false);
    for (const bounded of [
      source.generator().groupBy('sensorId').count().sink(sinks.memory()).ir,
      source
        .memory([{ sensorId: 's' }])
        .groupBy('sensorId')
        .count()
        .sink(sinks.memory()).ir,
      counted(source.file('/tmp/x.jsonl', { format: 'jsonl' })),
      counted(source.cassandraTable({ keyspace: 'k', table: 't' })),
    ])
      expect(await inputConnectorOf(bounded.source)).toBeUndefined();
  });

  it('a socket input with a WAL, opened by its connector: every line, and a reader reopened at a checkpointed position replays the rest', async () => {
    const lines = Array.from({ length: 25_000 }, (_, i) =>
      JSON.stringify({ eventId: `e${i}`, sensorId: `s${i % 7}`, ts: i, value: 1 }),
    );
    const sender = await lineSender(lines, { burst: 5_000 });
    const walDir = join(tempDir('idemflow-input-'), 'wal');
    const pipeline = counted(source.socket({ host: '127.0.0.1', port: sender.port }).withWal({ dir: walDir }));
    const input = (await inputConnectorOf(pipeline.source))!.open(pipeline, { log: () => {}, maxQueued: 2_000 });
    try {
      await input.start();
      const first = input.reader(undefined);
      const head = await first.read(4_000);
      const checkpoint = first.position();
      const rest = await readAll(first, 4_000);
      expect([...head.values, ...rest.values]).toEqual(lines);
      expect(rest.reads).toBeGreaterThan(1);
      await first.close();
      // A replay after a failed batch: the reader the run reopens at the checkpoint gets the same lines again.
      const again = await readAll(input.reader(checkpoint), 4_000);
      expect(again.values).toEqual(lines.slice(head.values.length));
    } finally {
      await input.close();
      await sender.close();
    }
  }, 60_000);
});

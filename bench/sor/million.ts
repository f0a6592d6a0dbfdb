/**
 * The system of record's largest partition after 10⁶ events, as issue 19
 * asks the bench to report: the bench's pipeline archives 10⁶ sensor events
 * at the rate of 10⁸ a day (one every 0.864 ms of event time: 14.4 minutes,
 * two 10-minute slots) through the writer every runner uses, in batches of
 * 20,000, into a table of its own; then every partition's size is read back.
 */
import type { Client } from 'cassandra-driver';
import { PipelineNode } from '../../compiler/ir/index.ts';
import { schemaCql, tableSchemas } from '../../connectors/cassandra/cql-schema.ts';
import { tableWriterOf } from '../../connectors/cassandra/table-writer.ts';
import { largestPartition } from './raw.ts';

/** Events of one batch, as the archive's write path takes them. */
const batchSize = 20_000;

/** Writes 10⁶ events with `pipeline`'s archive into its (fresh) system of record; returns its largest partition. */
export async function largestAfterMillion(client: Client, pipeline: PipelineNode, keyspace: string, n = 1_000_000) {
  for (const cql of schemaCql(tableSchemas(pipeline))) await client.execute(cql);
  const sor = PipelineNode.sinks(pipeline).find((s) => s.mode === 'system-of-record')!;
  const writer = tableWriterOf(client, sor, pipeline);
  const start = Date.UTC(2024, 0, 1);
  for (let from = 0; from < n; from += batchSize) {
    const events = Array.from({ length: Math.min(batchSize, n - from) }, (_, k) => {
      const i = from + k;
      const ts = start + Math.floor((i * 864) / 1_000);
      return { eventId: `m-${i}`, sensorId: `sensor-${i % 1_000}`, ts, value: (i % 1_000) / 10 };
    });
    await writer.archive(
      events.map((e) => e.eventId),
      events,
    );
  }
  return largestPartition(client, keyspace, sor.table!);
}

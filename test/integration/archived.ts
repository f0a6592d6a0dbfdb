import type { Client } from 'cassandra-driver';
import { cassandra, source } from 'idemflow';
import { PipelineNode } from '../../compiler/ir/index.ts';
import { schemaCql, tableSchemas } from '../../connectors/cassandra/cql-schema.ts';
import { sorBucket } from '../../connectors/cassandra/sor-bucket.ts';
import { systemOfRecordEntries, type SorEntry } from '../../connectors/cassandra/sor-reader.ts';
import { CassandraTableWriter } from '../../connectors/cassandra/table-writer.ts';
import { selectAll } from './servers.ts';

/** The events of a Cassandra system of record as every reader sees them: each id once, whatever the layout. */
export async function archived(client: Client, keyspace: string, table: string): Promise<SorEntry[]> {
  const entries: SorEntry[] = [];
  for await (const entry of systemOfRecordEntries(client, keyspace, table)) entries.push(entry);
  return entries;
}

/** The row layout of older versions, made by hand: what an existing deployment's table looks like. */
export const rowLayoutCql = (keyspace: string, table: string) =>
  `CREATE TABLE IF NOT EXISTS ${keyspace}.${table} (bucket text, event_id text, payload text, PRIMARY KEY (bucket, event_id))`;

/** A sensor reading as the archive tests write it. */
export interface Reading {
  readonly eventId: string;
  readonly sensorId: string;
  readonly ts: number;
}

const keyspace = 'idemflow_it';

/** An archive in idemflow_it (event time after it, so partitioned by time) with its counts by sensor in `<table>_n`. */
export const archiving = (table: string, events: readonly Reading[] = []) =>
  source
    .memory<Reading>(events)
    .archive(cassandra.systemOfRecord({ keyspace, table, id: 'eventId' }))
    .withEventTime((e) => e.ts)
    .groupBy('sensorId')
    .count()
    .sink(cassandra.upsert({ keyspace, table: `${table}_n`, key: { sensor: 'key' }, values: { n: 'value' } })).ir;

/** The counts a table of idemflow_it holds by sensor (`archiving`'s `<table>_n`, or another `(sensor, n)` table). */
export async function sensorCounts(client: Client, table: string): Promise<Map<unknown, number>> {
  const rows = await selectAll(client, `SELECT sensor, n FROM ${keyspace}.${table}`);
  return new Map(rows.map((r) => [r.sensor, Number(r.n)]));
}

/** How many readings each sensor has: what the counts of `archiving`'s pipeline hold once repaired. */
export const countsBySensor = (events: Iterable<Reading>) => {
  const counts = new Map<unknown, number>();
  for (const e of events) counts.set(e.sensorId, (counts.get(e.sensorId) ?? 0) + 1);
  return counts;
};

export const sorOf = (pipeline: PipelineNode) =>
  PipelineNode.sinks(pipeline).find((s) => s.mode === 'system-of-record')!;

/** The pipeline's tables made, and the writer its stream archives with. */
export async function writerOf(client: Client, pipeline: PipelineNode): Promise<CassandraTableWriter> {
  for (const cql of schemaCql(tableSchemas(pipeline))) await client.execute(cql);
  const sor = sorOf(pipeline);
  const schema = tableSchemas(pipeline).find((s) => s.table === sor.table)!;
  return new CassandraTableWriter(client, sor, schema, sorBucket(pipeline));
}

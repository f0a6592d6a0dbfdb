import type { Client } from 'cassandra-driver';
import { PipelineNode, SinkNode } from '../../compiler/ir/index.ts';
import type { Row } from '../../runtime/sinks/table-op.ts';
import type { RepairTarget } from '../../runtime/repair-target.ts';
import { storedId } from '../../runtime/stored-id.ts';
import { cassandraRepairTarget } from './repair-target.ts';
import { systemOfRecordPairs, type PairsRead } from './sor-reader.ts';

type TableLookup = (key: readonly unknown[]) => Row | undefined;

/** A table that was never created has no rows: a dry-run before the first run shows every write as new. */
function missingTable(error: unknown): boolean {
  return /unconfigured table|does not exist/i.test(error instanceof Error ? error.message : String(error));
}

/**
 * A system of record is stored under (bucket, event id) while a plan names
 * its rows by event id alone: looked up by event id, with the payload as
 * stored (an event's payload never changes, so present means the same).
 * Read as repair reads it (one pass; again only when an id may lie in two
 * partitions), since every event is held here anyway.
 */
async function systemOfRecordRows(client: Client, sink: SinkNode): Promise<TableLookup> {
  let rows = new Map<string, Row>();
  let read: PairsRead | undefined = systemOfRecordPairs(client, sink.keyspace!, sink.table!);
  while (read) {
    rows = new Map();
    for await (const [ids, events] of read.runs)
      for (let i = 0; i < ids.length; i++) rows.set(ids[i]!, { payload: events[i] });
    read = await read.exact();
  }
  return (key) => rows.get(storedId(key[0]));
}

/** A sink table's rows by planned primary key (a dry-run shows every row it plans, so they are all needed). */
async function sinkRows(target: RepairTarget, sink: SinkNode): Promise<TableLookup> {
  const rows = new Map<string, Row>();
  for await (const page of target.rows(sink)) for (const row of page) rows.set(JSON.stringify(row.key), row.columns);
  return (key) => rows.get(JSON.stringify(target.storedKey(sink, key)));
}

/**
 * The current rows of the Cassandra tables a dry-run plans to write, as a
 * lookup by `keyspace.table` and planned primary key; undefined for sinks
 * that are not Cassandra tables (the caller looks those up elsewhere).
 */
export async function cassandraCurrentRows(
  client: Client,
  pipeline: PipelineNode,
  tables: ReadonlySet<string>,
): Promise<Map<string, TableLookup>> {
  const target = cassandraRepairTarget(client, pipeline);
  const lookups = new Map<string, TableLookup>();
  for (const sink of PipelineNode.sinks(pipeline)) {
    const id = SinkNode.label(sink);
    if (sink.target !== 'cassandra' || lookups.has(id) || !tables.has(id)) continue;
    try {
      lookups.set(
        id,
        sink.mode === 'system-of-record' ? await systemOfRecordRows(client, sink) : await sinkRows(target, sink),
      );
    } catch (error) {
      if (!missingTable(error)) throw error;
      lookups.set(id, () => undefined);
    }
  }
  return lookups;
}

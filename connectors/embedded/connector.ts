import type { SinkNode } from '../../compiler/ir/index.ts';
import type { TableLookup, TargetConnector } from '../../runtime/target-connector.ts';
import { embeddedRepairTarget } from './repair-target.ts';
import type { EmbeddedStore, TableRef } from './store.ts';
import { embeddedTableSource } from './table-source.ts';

const refOf = (sink: SinkNode): TableRef => ({ keyspace: sink.keyspace, table: sink.table ?? 'unnamed' });

/** `keyspace.table` (as plans name tables) back to a table of the store. */
function refNamed(id: string): TableRef {
  const dot = id.indexOf('.');
  return { keyspace: id.slice(0, dot), table: id.slice(dot + 1) };
}

/**
 * The embedded store as a target: embedded sinks, and Cassandra sinks when no Cassandra is configured.
 * Its tables need no schema, and it stays open: the store belongs to whoever opened it (the CLI, a test).
 */
export function embeddedConnector(store: EmbeddedStore): TargetConnector {
  return {
    target: 'embedded',
    ensureSchema: async () => undefined,
    // The table is found at each write, as before the connector existed: a damaged log then fails the write
    // (retried, replayed, reported), not the building of the batch.
    writer: (sink) => ({ write: (ops) => store.table(refOf(sink)).write(ops) }),
    tableSource: (table, from) => embeddedTableSource(store.table(table), from),
    repairTarget: () => embeddedRepairTarget(store),
    async currentRows(_pipeline, tables) {
      return new Map<string, TableLookup>([...tables].map((id) => [id, (key) => store.table(refNamed(id)).get(key)]));
    },
    close: async () => {},
  };
}

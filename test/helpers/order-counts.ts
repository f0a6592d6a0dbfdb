import { EmbeddedStore } from '../../connectors/embedded/store.ts';

/** The tables the repair tests' ordered pipelines (step-orders.ts) write, on the embedded store. */
export const embeddedOrderTables = { keyspace: 'idemflow_it', events: 'events', counts: 'counts' };

/** A counts table as `orderTruth` keys it: the row key's JSON → its count. */
export const orderCounts = (storeDir: string, table = embeddedOrderTables.counts) =>
  new Map(
    new EmbeddedStore(storeDir)
      .table({ keyspace: embeddedOrderTables.keyspace, table })
      .rows()
      .map((r) => [JSON.stringify(r.key), Number(r.columns.measurements)]),
  );

export const totalOf = (rows: Map<string, number>) => [...rows.values()].reduce((a, b) => a + b, 0);

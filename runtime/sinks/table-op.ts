/**
 * One change to a table: an upsert of columns (last write wins), or a delta added to a counter column.
 * What every table connector writes (the embedded store's log holds these as they are; Cassandra binds
 * them to prepared statements), so it lives beneath the connectors.
 */
export type TableOp =
  | { readonly op: 'upsert'; readonly k: readonly unknown[]; readonly v: Readonly<Record<string, unknown>> }
  | { readonly op: 'add'; readonly k: readonly unknown[]; readonly c: string; readonly d: number };

/** A table row's columns, by name. */
export type Row = Readonly<Record<string, unknown>>;

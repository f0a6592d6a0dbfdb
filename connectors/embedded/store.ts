import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Row, TableOp } from '../../runtime/sinks/table-op.ts';
import { appendLog, cutTornTail, readLog, rewriteLog } from './table-log.ts';

export type { Row };

/** A table's identity: `keyspace.table`, or `embedded.table` for embedded sinks. */
export interface TableRef {
  readonly keyspace?: string;
  readonly table: string;
}

export const tableName = (ref: TableRef) => `${ref.keyspace ?? 'embedded'}.${ref.table}`;

const keyOf = (k: readonly unknown[]) => JSON.stringify(k);

/**
 * One table of the embedded store, with Cassandra's semantics where they
 * matter here: rows are identified by their primary key; an upsert overwrites
 * the columns it names (last write wins); `add` adds a delta to a counter
 * column. Kept in memory, made durable by the table log.
 */
export class EmbeddedTable {
  readonly #rows = new Map<string, { key: readonly unknown[]; columns: Record<string, unknown> }>();
  #logLength = 0;
  /** A torn tail left by a crash is cut before this table's first append. */
  #tailCut = false;

  constructor(
    readonly name: string,
    readonly path: string,
  ) {
    for (const op of readLog(path)) this.#apply(op);
  }

  #apply(op: TableOp): void {
    this.#logLength++;
    const id = keyOf(op.k);
    const row = this.#rows.get(id) ?? { key: op.k, columns: {} };
    if (op.op === 'upsert') Object.assign(row.columns, op.v);
    else row.columns[op.c] = (typeof row.columns[op.c] === 'number' ? (row.columns[op.c] as number) : 0) + op.d;
    this.#rows.set(id, row);
  }

  /** Applies and durably logs a batch of ops: acknowledged only once fsynced. */
  write(ops: readonly TableOp[]): void {
    if (!this.#tailCut) {
      cutTornTail(this.path);
      this.#tailCut = true;
    }
    try {
      appendLog(this.path, ops);
    } catch (error) {
      // A failed append may have left part of a line that could not be cut back: check again before the next.
      this.#tailCut = false;
      throw error;
    }
    ops.forEach((op) => this.#apply(op));
    // Keep the log proportional to the table, not to the number of writes.
    if (this.#logLength > 4 * this.#rows.size + 1_000) this.compact();
  }

  compact(): void {
    const ops: TableOp[] = [...this.#rows.values()].map((r) => ({ op: 'upsert', k: r.key, v: r.columns }));
    rewriteLog(this.path, ops);
    this.#logLength = ops.length;
  }

  /** A copy of the row's columns: later writes do not change what a caller holds. */
  get(key: readonly unknown[]): Row | undefined {
    const row = this.#rows.get(keyOf(key));
    return row ? { ...row.columns } : undefined;
  }

  get size(): number {
    return this.#rows.size;
  }

  /** Rows with their primary key values, in key order. */
  rows(): { key: readonly unknown[]; columns: Row }[] {
    return [...this.#rows.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, r]) => ({ key: r.key, columns: { ...r.columns } }));
  }

  /** Bytes on disk: what the system of record costs. */
  bytes(): number {
    try {
      return statSync(this.path).size;
    } catch {
      return 0;
    }
  }
}

/** The embedded store: a folder with one log file a table. The default sink target when no Cassandra is configured. */
export class EmbeddedStore {
  readonly #tables = new Map<string, EmbeddedTable>();

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  table(ref: TableRef): EmbeddedTable {
    const name = tableName(ref);
    let table = this.#tables.get(name);
    if (!table) {
      table = new EmbeddedTable(name, join(this.dir, `${name}.jsonl`));
      this.#tables.set(name, table);
    }
    return table;
  }

  /** Names of the tables that exist on disk. */
  tableNames(): string[] {
    return readdirSync(this.dir)
      .filter((f) => f.endsWith('.jsonl'))
      .map((f) => f.replace(/\.jsonl$/, ''))
      .sort();
  }
}

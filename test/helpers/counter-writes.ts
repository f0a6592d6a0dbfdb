/**
 * Writes a custom sink's `write` delegates to, in a module of their own:
 * the IDEM008 tests check that the analysis follows them. Nothing here is
 * run; `Cql` is the part of cassandra-driver's Client they use.
 */
export interface Cql {
  execute(query: string, params?: readonly unknown[], options?: object): Promise<{ wasApplied(): boolean }>;
  executeAsync(query: string, params?: readonly unknown[]): Promise<unknown>;
  batch(queries: readonly { query: string; params: readonly unknown[] }[], options?: object): Promise<unknown>;
}

export interface Row {
  readonly key: unknown;
  readonly value: number;
}

const BUMP = 'UPDATE metrics.per_key SET n = n + ? WHERE k = ?';

/** A counter batch built with `.map`, its CQL in a module const. */
export async function bumpAll(db: Cql, rows: readonly Row[]): Promise<void> {
  await db.batch(
    rows.map((r) => ({ query: BUMP, params: [r.value, String(r.key)] })),
    { prepare: true, counter: true },
  );
}

/** Whole totals: idempotent, whatever repeats it. */
export async function putTotals(db: Cql, rows: readonly Row[]): Promise<void> {
  for (const r of rows) await db.execute('UPDATE metrics.totals SET n = ? WHERE k = ?', [r.value, String(r.key)]);
}

/** A class that keeps its client: the sink calls a method of an instance. */
export class CounterStore {
  constructor(private readonly db: Cql) {}

  async add(rows: readonly Row[]): Promise<void> {
    for (const r of rows) await this.db.execute(BUMP, [r.value, String(r.key)], { prepare: true });
  }
}

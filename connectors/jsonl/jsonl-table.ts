import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Row, TableOp } from '../../runtime/sinks/table-op.ts';
import { RunnerError } from '../../runtime/runner-error.ts';
import { writeFileAtomically } from '../durable-file.ts';

/** One row as the file holds it: key and value columns side by side, one JSON object a line. */
type Line = Record<string, unknown>;

/**
 * A table kept as a JSONL file: one line a row, each primary key once, the lines in key order. Every write
 * replaces the file atomically (a crash leaves the old rows or the new, never half), so the file is always
 * a table's whole state: an upsert of the same rows again leaves the same bytes, which is what makes a
 * replay exact. Whole-file rewrites cost the table's size a batch: a target for small tables and exports.
 */
export class JsonlTable {
  readonly #rows = new Map<string, Line>();

  constructor(
    readonly path: string,
    /** The primary key's column names, in the order of a table op's key. */
    readonly keyColumns: readonly string[],
  ) {
    if (!existsSync(path)) return;
    readFileSync(path, 'utf8')
      .split('\n')
      .forEach((text, i) => {
        if (text !== '') this.#put(this.#parse(text, i + 1));
      });
  }

  #parse(text: string, line: number): Line {
    try {
      const row: unknown = JSON.parse(text);
      if (typeof row === 'object' && row !== null && !Array.isArray(row)) return row as Line;
    } catch {
      // reported below, with the line
    }
    throw new RunnerError(
      `${this.path}:${line}: not a JSON object; the JSONL table cannot be read (move the file away to start it again)`,
    );
  }

  #keyOf(row: Line): unknown[] {
    return this.keyColumns.map((c) => row[c]);
  }

  #put(row: Line): void {
    this.#rows.set(JSON.stringify(this.#keyOf(row)), row);
  }

  /** Applies upserts (last write wins, column by column) and replaces the file. */
  write(ops: readonly TableOp[]): void {
    for (const op of ops) {
      if (op.op !== 'upsert')
        throw new RunnerError(`${this.path}: a JSONL table takes upserts only, not counter deltas`);
      const id = JSON.stringify(op.k);
      const key = Object.fromEntries(this.keyColumns.map((c, i) => [c, op.k[i]]));
      this.#rows.set(id, { ...key, ...this.#rows.get(id), ...op.v });
    }
    mkdirSync(dirname(this.path), { recursive: true });
    const ids = [...this.#rows.keys()].sort();
    writeFileAtomically(this.path, ids.map((id) => `${JSON.stringify(this.#rows.get(id))}\n`).join(''));
  }

  /** The rows: their primary key, and their value columns. */
  rows(): { key: unknown[]; columns: Row }[] {
    return [...this.#rows.values()].map((row) => ({ key: this.#keyOf(row), columns: this.#valuesOf(row) }));
  }

  get(key: readonly unknown[]): Row | undefined {
    const row = this.#rows.get(JSON.stringify(key));
    return row && this.#valuesOf(row);
  }

  #valuesOf(row: Line): Row {
    return Object.fromEntries(Object.entries(row).filter(([c]) => !this.keyColumns.includes(c)));
  }
}

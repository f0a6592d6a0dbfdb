import { existsSync, readFileSync } from 'node:fs';
import { appendDurably, writeFileAtomically } from '../durable-file.ts';

/** One change to a table: an upsert of columns (last write wins), or a delta added to a counter column. */
export type TableOp =
  | { readonly op: 'upsert'; readonly k: readonly unknown[]; readonly v: Readonly<Record<string, unknown>> }
  | { readonly op: 'add'; readonly k: readonly unknown[]; readonly c: string; readonly d: number };

/**
 * A table's durable log: one JSON op a line, appended and fsynced once per
 * batch. A crash can leave a torn last line; it was never acknowledged, so
 * reading stops there and drops it.
 */
export function readLog(path: string): TableOp[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  const complete = text.slice(0, text.lastIndexOf('\n') + 1);
  return complete.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as TableOp);
}

const lines = (ops: readonly TableOp[]) => ops.map((o) => `${JSON.stringify(o)}\n`).join('');

export function appendLog(path: string, ops: readonly TableOp[]): void {
  if (ops.length > 0) appendDurably(path, lines(ops));
}

/** Replaces the log with `ops` atomically. */
export function rewriteLog(path: string, ops: readonly TableOp[]): void {
  writeFileAtomically(path, lines(ops));
}

import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, readFileSync, readSync } from 'node:fs';
import { appendDurably, writeFileAtomically } from '../durable-file.ts';
import type { TableOp } from '../../runtime/sinks/table-op.ts';
import { UserFacingError } from '../../runtime/user-facing-error.ts';

export type { TableOp };

/** A store file that cannot be read: the CLI prints its message, which says where and what to do. */
export class StoreError extends UserFacingError {
  override readonly name = 'StoreError';
}

const newline = 0x0a;

function isTableOp(value: unknown): value is TableOp {
  const o = value as Partial<Record<string, unknown>> | null;
  if (typeof o !== 'object' || o === null || !Array.isArray(o.k)) return false;
  if (o.op === 'upsert') return typeof o.v === 'object' && o.v !== null;
  return o.op === 'add' && typeof o.c === 'string' && typeof o.d === 'number';
}

function parseOp(text: string): TableOp | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isTableOp(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One line of the log. A line that is not an op may be a torn append with a
 * later, acknowledged op glued on (what an earlier version left when it
 * appended after a crash): the op is the suffix that starts at an op's
 * opening `{"op":` and parses whole — that text cannot occur unescaped inside
 * a JSON string, and an object value named "op" leaves a suffix that does not
 * parse. Anything else is damage the store cannot explain: an error naming
 * the line, not a guess.
 */
function opOfLine(path: string, lineNo: number, line: string): TableOp {
  const whole = parseOp(line);
  if (whole) return whole;
  for (let at = line.indexOf('{"op":', 1); at > 0; at = line.indexOf('{"op":', at + 1)) {
    const glued = parseOp(line.slice(at));
    if (glued) return glued;
  }
  throw new StoreError(
    `${path}:${lineNo} is not a table operation (${line.length > 80 ? `${line.slice(0, 80)}…` : line}); the file was changed outside idemflow: restore it from a backup, or remove the line to drop that write`,
  );
}

/**
 * A table's durable log: one JSON op a line, appended and fsynced once per
 * batch. A crash can leave a torn last line; it was never acknowledged, so
 * reading stops there and drops it (the writer cuts it off before it
 * appends: see `cutTornTail`).
 */
export function readLog(path: string): TableOp[] {
  if (!existsSync(path)) return [];
  const bytes = readFileSync(path);
  const logLines = bytes
    .subarray(0, bytes.lastIndexOf(newline) + 1)
    .toString('utf8')
    .split('\n');
  const ops: TableOp[] = [];
  logLines.forEach((line, i) => {
    if (line !== '') ops.push(opOfLine(path, i + 1, line));
  });
  return ops;
}

/** Where the last complete line of an open file ends (0 when there is none), read backwards a chunk at a time. */
function completeLength(fd: number): number {
  const chunk = Buffer.alloc(64 * 1024);
  for (let end = fstatSync(fd).size; end > 0;) {
    const start = Math.max(0, end - chunk.length);
    const read = readSync(fd, chunk, 0, end - start, start);
    const at = chunk.subarray(0, read).lastIndexOf(newline);
    if (at >= 0) return start + at + 1;
    end = start;
  }
  return 0;
}

/**
 * Cuts a torn last line off, durably, before anything is appended: glued to
 * the next append, it would turn an acknowledged op into an unreadable line.
 * Only a writer does this, never a reader: a reader beside a live writer
 * would cut the writer's append in flight.
 */
export function cutTornTail(path: string): void {
  if (!existsSync(path)) return;
  const fd = openSync(path, 'r+');
  try {
    const complete = completeLength(fd);
    if (fstatSync(fd).size === complete) return;
    ftruncateSync(fd, complete);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

const lines = (ops: readonly TableOp[]) => ops.map((o) => `${JSON.stringify(o)}\n`).join('');

export function appendLog(path: string, ops: readonly TableOp[]): void {
  if (ops.length > 0) appendDurably(path, lines(ops));
}

/** Replaces the log with `ops` atomically. */
export function rewriteLog(path: string, ops: readonly TableOp[]): void {
  writeFileAtomically(path, lines(ops));
}

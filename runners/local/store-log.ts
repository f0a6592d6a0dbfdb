import { closeSync, existsSync, fstatSync, ftruncateSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { appendToOpenFile, syncDirectory } from '../../connectors/durable-file.ts';
import type { StateDelta } from './aggregation-state.ts';
import { DamagedState, readRecord, record, type StateRecord } from './state-files.ts';

/**
 * The delta log beside an LMDB state store (`--state disk`): each checkpoint
 * the store has not merged yet, one checksummed record each (the format of
 * the state files of state in memory, see state-files.ts), appended and
 * fsynced. A merge writes them into the store and starts the next
 * generation's log, so a log only ever holds checkpoints after the store's.
 */
export const storeLogName = (generation: number) => `deltas-${String(generation).padStart(8, '0')}.log`;

/** A delta of the log, with the checkpoint head it was written with. */
export interface LoggedDelta {
  readonly delta: StateDelta;
  readonly head: string;
}

/**
 * The records of a log, in order, and the bytes they take. A damaged or torn
 * record at the end — one reaching the end of the file — is a checkpoint
 * whose append never returned (the append fsyncs before a save returns): it
 * is left out, and cut before the next append. Damage with records after it
 * is not a crash's doing: that throws `DamagedState`, naming the file.
 */
export function readStoreLog(
  dir: string,
  generation: number,
  pipeline: string,
  batch: number,
): { deltas: LoggedDelta[]; bytes: number } {
  const where = { path: join(dir, storeLogName(generation)), pipeline, dir, batch };
  if (!existsSync(where.path)) return { deltas: [], bytes: 0 };
  const bytes = readFileSync(where.path);
  const deltas: LoggedDelta[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    let read: [StateRecord, number];
    try {
      read = readRecord(where, bytes, offset, 'delta');
    } catch (error) {
      if (error instanceof DamagedState && reachesEnd(bytes, offset)) break;
      throw error;
    }
    deltas.push({ delta: read[0].state as StateDelta, head: read[0].resume as string });
    offset = read[1];
  }
  return { deltas, bytes: offset };
}

/** Whether the record at `offset` runs to the end of the file, by its header's size (a header cut short does too). */
function reachesEnd(bytes: Buffer, offset: number): boolean {
  const newline = bytes.indexOf(0x0a, offset);
  if (newline < 0) return true;
  try {
    const header = JSON.parse(bytes.subarray(offset, newline).toString('utf8')) as { bytes?: unknown };
    return typeof header.bytes !== 'number' || newline + 1 + header.bytes + 1 >= bytes.length;
  } catch {
    return false;
  }
}

/**
 * Appends a checkpoint's delta to the log of `generation` and makes it
 * durable (bytes past `committedBytes`, a torn append's, are cut first; a new
 * log's name is made durable in its folder). Returns the log's new size.
 */
export function appendStoreLog(
  dir: string,
  generation: number,
  committedBytes: number,
  write: { pipeline: string; batch: number; head: string; delta: StateDelta },
): number {
  const path = join(dir, storeLogName(generation));
  const created = !existsSync(path);
  const text = record({ dir, pipeline: write.pipeline, batch: write.batch, resume: write.head }, write.delta);
  const fd = openSync(path, 'a');
  try {
    if (fstatSync(fd).size > committedBytes) ftruncateSync(fd, committedBytes);
    appendToOpenFile(fd, text);
  } finally {
    closeSync(fd);
  }
  if (created) syncDirectory(dir);
  return committedBytes + Buffer.byteLength(text);
}

/** Removes the logs of other generations: merged into the store already, or never named by it. Best effort. */
export function removeOtherLogs(dir: string, generation: number): void {
  const keep = storeLogName(generation);
  for (const name of readdirSync(dir))
    if (/^deltas-\d+\.log$/.test(name) && name !== keep)
      try {
        rmSync(join(dir, name), { force: true });
      } catch {
        // Only space: removed after the next merge.
      }
}

import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { join } from 'node:path';
import { appendToOpenFile, syncDirectory, writeFileAtomically } from '../../connectors/durable-file.ts';
import { RunnerError } from '../../runtime/runner-error.ts';
import type { StateDelta, StateSnapshot, StateTarget } from './aggregation-state.ts';

/** Written in every state record's header: a reader of another layout refuses it instead of misreading it. */
export const stateLayout = 'idemflow-state/2';

/**
 * Which bytes of `state/` make up a checkpoint's state: the snapshot
 * `snapshot-<generation>.json` (none before the first compaction), then the
 * first `logBytes` bytes of the delta log `deltas-<generation>.log`. A
 * compaction starts the next generation, so a new file never takes the name
 * of one a committed checkpoint still names; bytes past `logBytes` were
 * never committed and are cut before the next append.
 */
export interface StateChain {
  readonly generation: number;
  readonly snapshot: boolean;
  readonly logBytes: number;
  readonly deltas: number;
  readonly snapshotBytes: number;
}

/** Each snapshot file, and each record of a delta log: this header line, then the body of `bytes` bytes and a newline. */
interface RecordHeader {
  readonly layout: string;
  readonly pipeline: string;
  readonly kind: 'snapshot' | 'delta';
  readonly batch: number;
  readonly bytes: number;
  readonly sha256: string;
}

export const stateFolder = (dir: string) => join(dir, 'state');
const snapshotName = (generation: number) => `snapshot-${String(generation).padStart(8, '0')}.json`;
const logName = (generation: number) => `deltas-${String(generation).padStart(8, '0')}.log`;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

export interface StateWrite {
  readonly dir: string;
  readonly pipeline: string;
  readonly batch: number;
  /** Called with a snapshot's temp file complete and fsynced, before its rename: where a test kills the process. */
  readonly beforeRename?: () => void;
  /**
   * The checkpoint this state belongs to (its head: source position, batch…), kept inside the
   * checksummed body: when a later record is damaged, a restore may go back to this one.
   */
  readonly resume?: unknown;
}

/** A state record as written: its header line (layout, pipeline, kind, batch, size, SHA-256), then its body. */
export function record(write: StateWrite, state: StateSnapshot | StateDelta): string {
  const json = JSON.stringify(write.resume === undefined ? state : { ...state, resume: write.resume });
  const body = Buffer.from(json, 'utf8');
  const header: RecordHeader = {
    layout: stateLayout,
    pipeline: write.pipeline,
    kind: 'kind' in state ? 'delta' : 'snapshot',
    batch: write.batch,
    bytes: body.length,
    sha256: sha256(body),
  };
  return `${JSON.stringify(header)}\n${json}\n`;
}

/**
 * Makes a checkpoint's state durable and returns the chain that holds it:
 * a delta is appended to the log (one write and one fsync; bytes a crash left
 * past the committed end are cut first), a whole state becomes the snapshot
 * of a new generation (temp file, fsync, rename, folder fsync). Nothing is
 * committed until the caller writes the chain into `checkpoint.json`.
 */
export function writeState(
  write: StateWrite,
  state: StateSnapshot | StateDelta,
  before: StateChain | undefined,
): StateChain {
  const folder = stateFolder(write.dir);
  mkdirSync(folder, { recursive: true });
  const text = record(write, state);
  const bytes = Buffer.byteLength(text);
  if (!('kind' in state)) {
    const generation = (before?.generation ?? 0) + 1;
    writeFileAtomically(join(folder, snapshotName(generation)), text, write.beforeRename);
    return { generation, snapshot: true, logBytes: 0, deltas: 0, snapshotBytes: bytes };
  }
  const chain = before ?? { generation: 1, snapshot: false, logBytes: 0, deltas: 0, snapshotBytes: 0 };
  const path = join(folder, logName(chain.generation));
  const created = !existsSync(path);
  const fd = openSync(path, 'a');
  try {
    if (fstatSync(fd).size > chain.logBytes) ftruncateSync(fd, chain.logBytes);
    appendToOpenFile(fd, text);
  } finally {
    closeSync(fd);
  }
  if (created) syncDirectory(folder);
  return { ...chain, logBytes: chain.logBytes + bytes, deltas: chain.deltas + 1 };
}

/** A record as read: the state, and the checkpoint head it was written with (absent in records written before heads were kept). */
export interface StateRecord {
  readonly state: StateSnapshot | StateDelta;
  readonly resume?: unknown;
}

/**
 * Damage found in a chain's state files. `good` is set when the records
 * before the damage were read and applied: the chain they make up and the
 * checkpoint head the last of them was written with, the furthest point a
 * restore can still go back to.
 */
export class DamagedState extends RunnerError {
  constructor(
    /** The file and what is wrong with it. */
    readonly what: string,
    /** What stops, and what to do. */
    readonly advice: string,
    readonly good?: { readonly chain: StateChain; readonly resume: unknown },
  ) {
    super(`${what}, ${advice}`);
  }
}

/**
 * Rebuilds a chain's state into `into` (reset first): its snapshot, then each
 * committed delta in order, every record checked before it is applied. The
 * state is built once, in its final home. Throws `DamagedState` at the first
 * damaged record, with `into` holding the records before it.
 */
export function readState(dir: string, pipeline: string, batch: number, chain: StateChain, into: StateTarget): void {
  const at = (file: string) => ({ path: join(stateFolder(dir), file), pipeline, dir, batch });
  let last: StateRecord | undefined;
  if (chain.snapshot) {
    const where = at(snapshotName(chain.generation));
    const bytes = readWhole(where);
    const [snapshot, end] = readRecord(where, bytes, 0, 'snapshot');
    if (end !== bytes.length) throw damaged(where, `has ${bytes.length - end} bytes after its snapshot`);
    into.restore(snapshot.state);
    last = snapshot;
  } else into.restore({ watermark: -Infinity, entries: [] });
  if (chain.logBytes === 0) return;
  const where = at(logName(chain.generation));
  // A log missing or cut short still holds the deltas before the damage: read as far as it goes.
  const missing = !existsSync(where.path);
  const whole = missing ? Buffer.alloc(0) : readFileSync(where.path);
  const bytes = whole.subarray(0, chain.logBytes);
  for (let offset = 0, n = 0; n < chain.deltas; n++) {
    let delta: StateRecord;
    try {
      const [read, end] = readRecord(where, bytes, offset, 'delta');
      delta = read;
      offset = end;
    } catch (error) {
      if (!(error instanceof DamagedState)) throw error;
      const what = missing
        ? damaged(where, 'is missing').what
        : whole.length < chain.logBytes
          ? damaged(where, `is torn: it has ${whole.length} of the ${chain.logBytes} bytes its checkpoint committed`)
              .what
          : error.what;
      const good =
        last?.resume === undefined
          ? undefined
          : { chain: { ...chain, logBytes: offset, deltas: n }, resume: last.resume };
      throw new DamagedState(what, error.advice, good);
    }
    into.apply(delta.state as StateDelta);
    last = delta;
  }
}

export interface Where {
  readonly path: string;
  readonly pipeline: string;
  readonly dir: string;
  readonly batch: number;
}

const damaged = (where: Where, why: string) =>
  new DamagedState(
    `checkpoint state file ${where.path} ${why}`,
    `so the checkpoint after batch ${where.batch} in ${where.dir} cannot be rebuilt (the run did not start). ` +
      `Put back a good copy of that file (from a backup of ${where.dir}), or move ${where.dir} aside and run again to start over from the beginning of the input (an upsert sink converges; a counter sink would count again)`,
  );

/** A snapshot's bytes; a missing one is damage. */
function readWhole(where: Where): Buffer {
  if (!existsSync(where.path)) throw damaged(where, 'is missing');
  return readFileSync(where.path);
}

/** The record at `offset`, checked against its header, and where the next one starts. */
export function readRecord(
  where: Where,
  bytes: Buffer,
  offset: number,
  kind: RecordHeader['kind'],
): [StateRecord, number] {
  const newline = bytes.indexOf(0x0a, offset);
  let header: RecordHeader;
  try {
    header = JSON.parse(bytes.subarray(offset, newline < 0 ? bytes.length : newline).toString('utf8')) as RecordHeader;
  } catch {
    throw damaged(where, `has an unreadable record header at byte ${offset}`);
  }
  const what = `its ${kind} at byte ${offset}`;
  if (header.layout !== stateLayout)
    throw damaged(
      where,
      `has layout "${String(header.layout)}" at byte ${offset}, not "${stateLayout}" (what this idemflow reads)`,
    );
  if (header.pipeline !== where.pipeline)
    throw damaged(where, `belongs to pipeline "${header.pipeline}", not "${where.pipeline}"`);
  if (header.kind !== kind) throw damaged(where, `holds a ${header.kind} at byte ${offset}, not a ${kind}`);
  const start = newline + 1;
  const end = start + header.bytes;
  if (newline < 0 || end + 1 > bytes.length || bytes[end] !== 0x0a)
    throw damaged(
      where,
      `is torn: ${what} (batch ${header.batch}) has ${Math.max(0, bytes.length - start)} of its ${header.bytes} bytes`,
    );
  const body = bytes.subarray(start, end);
  const sum = sha256(body);
  if (sum !== header.sha256)
    throw damaged(
      where,
      `fails its checksum: ${what} (batch ${header.batch}) has SHA-256 ${sum}, its header says ${header.sha256}`,
    );
  const { resume, ...state } = JSON.parse(body.toString('utf8')) as (StateSnapshot | StateDelta) & { resume?: unknown };
  return [{ state, resume }, end + 1];
}

/**
 * Removes what no committed chain names: the generation a compaction
 * replaced, and files a crash left before their commit. Best effort: a file
 * left is only space, removed at the next compaction.
 */
export function removeOutsideChain(dir: string, chain: StateChain | undefined): void {
  const keep = new Set<string>();
  if (chain) {
    if (chain.snapshot) keep.add(snapshotName(chain.generation));
    keep.add(logName(chain.generation));
  }
  const folder = stateFolder(dir);
  if (!existsSync(folder)) return;
  for (const name of readdirSync(folder)) {
    if (keep.has(name)) continue;
    try {
      rmSync(join(folder, name), { force: true });
    } catch {
      // Left for the next compaction.
    }
  }
}

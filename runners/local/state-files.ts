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
import type { StateDelta, StateSnapshot } from './aggregation-state.ts';
import { StateImage } from './state-image.ts';

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
}

function record(write: StateWrite, state: StateSnapshot | StateDelta): string {
  const json = JSON.stringify(state);
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

/** The state a chain holds: its snapshot, then each committed delta in order, every record checked first. */
export function readState(dir: string, pipeline: string, batch: number, chain: StateChain): StateSnapshot {
  const at = (file: string) => ({ path: join(stateFolder(dir), file), pipeline, dir, batch });
  let image = new StateImage();
  if (chain.snapshot) {
    const where = at(snapshotName(chain.generation));
    const bytes = readWhole(where, Infinity);
    const [snapshot, end] = readRecord(where, bytes, 0, 'snapshot');
    if (end !== bytes.length) throw damaged(where, `has ${bytes.length - end} bytes after its snapshot`);
    image = StateImage.of(snapshot);
  }
  if (chain.logBytes > 0) {
    const where = at(logName(chain.generation));
    const bytes = readWhole(where, chain.logBytes);
    for (let offset = 0, n = 0; n < chain.deltas; n++) {
      const [delta, end] = readRecord(where, bytes, offset, 'delta');
      image.apply(delta as StateDelta);
      offset = end;
    }
  }
  return image.snapshot();
}

interface Where {
  readonly path: string;
  readonly pipeline: string;
  readonly dir: string;
  readonly batch: number;
}

const damaged = (where: Where, why: string) =>
  new RunnerError(
    `checkpoint state file ${where.path} ${why}, so the checkpoint after batch ${where.batch} in ${where.dir} cannot be rebuilt (the run did not start). ` +
      `Put back a good copy of that file (from a backup of ${where.dir}), or move ${where.dir} aside and run again to start over from the beginning of the input (an upsert sink converges; a counter sink would count again)`,
  );

/** The file's first `committed` bytes (a snapshot: all of it); fewer is a torn file. */
function readWhole(where: Where, committed: number): Buffer {
  if (!existsSync(where.path)) throw damaged(where, 'is missing');
  const bytes = readFileSync(where.path);
  if (committed !== Infinity && bytes.length < committed)
    throw damaged(where, `is torn: it has ${bytes.length} of the ${committed} bytes its checkpoint committed`);
  return committed === Infinity ? bytes : bytes.subarray(0, committed);
}

/** The record at `offset`, checked against its header, and where the next one starts. */
function readRecord(
  where: Where,
  bytes: Buffer,
  offset: number,
  kind: RecordHeader['kind'],
): [StateSnapshot | StateDelta, number] {
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
  return [JSON.parse(body.toString('utf8')) as StateSnapshot | StateDelta, end + 1];
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

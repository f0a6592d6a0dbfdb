import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { appendToOpenFile, syncDirectory, writeFileAtomically } from '../durable-file.ts';
import { join } from 'node:path';
import type { SourceBatch } from '../../runtime/sources/source-reader.ts';

/** Where a WAL reader is: a segment and a byte offset in it. Stored in checkpoints. */
export interface WalPosition {
  readonly segment: number;
  readonly offset: number;
}

const segmentName = (n: number) => `wal-${String(n).padStart(8, '0')}.log`;
/** Beside each segment: how many lines the log held before it, so the count survives the truncation of older segments. */
const startName = (n: number) => `wal-${String(n).padStart(8, '0')}.start`;
const maxSegmentBytes = 8 * 1024 * 1024;

export function walSegments(dir: string): number[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((f) => /^wal-(\d+)\.log$/.exec(f)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

/** Complete (newline-terminated) lines in a file: a torn tail is not one. */
function completeLines(path: string): number {
  if (!existsSync(path)) return 0;
  const bytes = readFileSync(path);
  let n = 0;
  for (let i = bytes.indexOf(0x0a); i >= 0; i = bytes.indexOf(0x0a, i + 1)) n++;
  return n;
}

/** Lines the log held before segment `n`: its start file, or (a log written before start files) its older segments counted. */
function linesBefore(dir: string, n: number): number {
  const start = join(dir, startName(n));
  if (existsSync(start)) return Number(readFileSync(start, 'utf8'));
  return walSegments(dir)
    .filter((s) => s < n)
    .reduce((sum, s) => sum + completeLines(join(dir, segmentName(s))), 0);
}

/**
 * The receiver's write-ahead log: each chunk of received lines is appended
 * and fsynced before those lines count as received. Segments rotate by size;
 * a new writer always starts a new segment, so a torn tail from a crash is
 * never appended to. `logged` counts every line the log ever took (empty ones
 * too, as the sender counts them), across restarts and truncation: it is what
 * the receiver acknowledges, and where a sender resumes.
 */
export class WalWriter {
  #segment: number;
  #fd: number;
  #bytes = 0;
  #logged: number;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    const last = walSegments(dir).at(-1);
    this.#logged = last === undefined ? 0 : linesBefore(dir, last) + completeLines(join(dir, segmentName(last)));
    this.#segment = (last ?? 0) + 1;
    this.#fd = this.#openSegment();
  }

  get logged(): number {
    return this.#logged;
  }

  #openSegment(): number {
    // The start file first: a segment is never without the count of the lines before it.
    writeFileAtomically(join(this.dir, startName(this.#segment)), String(this.#logged));
    const fd = openSync(join(this.dir, segmentName(this.#segment)), 'a');
    syncDirectory(this.dir);
    return fd;
  }

  /** Appends every line and fsyncs, or throws having written none of them (a short write is not taken as done). */
  append(lines: readonly string[]): void {
    if (lines.length === 0) return;
    const text = lines.map((l) => `${l}\n`).join('');
    appendToOpenFile(this.#fd, text);
    this.#logged += lines.length;
    this.#bytes += Buffer.byteLength(text);
    if (this.#bytes >= maxSegmentBytes) {
      closeSync(this.#fd);
      this.#segment++;
      this.#fd = this.#openSegment();
      this.#bytes = 0;
    }
  }

  /** The fault `crash-mid-append`: the first half of an append's bytes reach the file, unsynced, and the writer dies. */
  tornAppend(lines: readonly string[]): void {
    const bytes = Buffer.from(lines.map((l) => `${l}\n`).join(''));
    writeSync(this.#fd, bytes, 0, Math.floor(bytes.length / 2));
  }

  close(): void {
    closeSync(this.#fd);
  }
}

const chunkBytes = 4 * 1024 * 1024;

/**
 * The text of a segment from `offset` up to and including its last newline,
 * read a chunk at a time: a chunk with no newline before the end of the file
 * holds part of a long line, so the read grows until it finds one. (Taking a
 * full chunk without a newline as the segment's end stalled the reader on a
 * line over 4 MiB, or skipped the rest of the segment once a newer one
 * existed.)
 */
function completeLinesFrom(path: string, offset: number): string {
  const fd = openSync(path, 'r');
  try {
    const available = fstatSync(fd).size - offset;
    for (let want = Math.min(available, chunkBytes); want > 0; want = Math.min(available, want * 2)) {
      const buffer = Buffer.alloc(want);
      const read = readSync(fd, buffer, 0, want, offset);
      const end = buffer.subarray(0, read).lastIndexOf(0x0a);
      if (end >= 0) return buffer.subarray(0, end + 1).toString('utf8');
      if (want === available) break;
    }
    return '';
  } finally {
    closeSync(fd);
  }
}

/** Reads complete lines from the WAL, from a position on; only what was fsynced and newline-terminated counts. */
export class WalReader {
  #position: WalPosition;

  constructor(
    readonly dir: string,
    from: WalPosition | undefined,
  ) {
    this.#position = from ?? { segment: walSegments(dir)[0] ?? 1, offset: 0 };
  }

  get position(): WalPosition {
    return this.#position;
  }

  read(max: number): SourceBatch {
    const values: string[] = [];
    const positions: string[] = [];
    const segments = walSegments(this.dir);
    while (values.length < max) {
      const { segment, offset } = this.#position;
      const path = join(this.dir, segmentName(segment));
      if (!existsSync(path)) {
        const later = segments.find((s) => s > segment);
        if (later === undefined) break;
        this.#position = { segment: later, offset: 0 };
        continue;
      }
      const text = completeLinesFrom(path, offset);
      if (text === '') {
        // No complete line after the offset: a newer segment means this one is finished, and what is left is
        // an append torn by a crash (never acknowledged as received); else its writer may still add to it.
        const later = segments.find((s) => s > segment);
        if (later === undefined) break;
        this.#position = { segment: later, offset: 0 };
        continue;
      }
      let consumed = 0;
      for (const line of text.slice(0, -1).split('\n')) {
        if (values.length >= max) break;
        consumed += Buffer.byteLength(line) + 1;
        // Empty lines are logged so that the log counts lines as the sender does; they are no records.
        if (line === '') continue;
        values.push(line);
        positions.push(`wal ${segment}:${offset + consumed}`);
      }
      this.#position = { segment, offset: offset + consumed };
    }
    return { values, position: (i) => positions[i] ?? 'wal', done: false };
  }

  /** Deletes the segments a checkpoint has moved past: they will never be replayed again. */
  truncateBefore(position: WalPosition): void {
    for (const s of walSegments(this.dir))
      if (s < position.segment) {
        rmSync(join(this.dir, segmentName(s)), { force: true });
        rmSync(join(this.dir, startName(s)), { force: true });
      }
  }
}

/**
 * What a power loss may leave of a folder, from a trace of the file-system
 * calls made in it. A kill -9 cannot show a missing fsync (the kernel's page
 * cache survives the process); a power loss can. The model, the worst a
 * journaling file system allows:
 * - a file's bytes survive only up to its last fsync (or, in the other
 *   variant, all of them: the kernel may have written them anyway);
 * - names (create, rename, unlink) survive in the order they were made, up to
 *   some point, and at least up to the last fsync of the folder they are in.
 * This module names no file-system module: the recorder wraps the real one
 * it is given (`vi.mock('node:fs', …)` in the test), and the folders it
 * rebuilds are written by the caller.
 */
import { dirname, relative } from 'node:path';

type NameOp =
  | { readonly kind: 'create'; readonly path: string; readonly inode: number }
  | { readonly kind: 'rename'; readonly from: string; readonly to: string }
  | { readonly kind: 'unlink'; readonly path: string };
type DataOp =
  | { readonly kind: 'write'; readonly inode: number; readonly at: number; readonly bytes: Buffer }
  | { readonly kind: 'truncate'; readonly inode: number; readonly size: number }
  | { readonly kind: 'fsync-file'; readonly inode: number }
  | { readonly kind: 'fsync-dir'; readonly dir: string }
  /** Put by the test: `save` of this batch returned, so what it wrote must survive any later loss. */
  | { readonly kind: 'saved'; readonly batch: number };
export type FsOp = NameOp | DataOp;

interface OpenFile {
  readonly inode?: number;
  readonly dir?: string;
  readonly append: boolean;
  position: number;
}

/** The part of `node:fs` the recorder wraps. */
export interface FsCalls {
  openSync(path: string, flags?: string, mode?: number): number;
  writeSync(fd: number, data: Buffer | string, offset?: number, length?: number, position?: number | null): number;
  ftruncateSync(fd: number, size?: number): void;
  fsyncSync(fd: number): void;
  closeSync(fd: number): void;
  renameSync(from: string, to: string): void;
  rmSync(path: string, options?: object): void;
  unlinkSync(path: string): void;
  statSync(path: string): { isDirectory(): boolean; size: number };
  existsSync(path: string): boolean;
  readFileSync(path: string): Buffer;
}

/** Records the calls made under `root` while on: each file as an inode, each name as it changes. */
export class FsTrace {
  readonly ops: FsOp[] = [];
  /** The files under `root` when the trace started, as relative names: taken as durable. */
  readonly initial = new Map<string, { readonly inode: number; readonly bytes: Buffer }>();
  readonly #names = new Map<string, number>();
  readonly #sizes = new Map<number, number>();
  readonly #open = new Map<number, OpenFile>();
  #inodes = 0;
  #root: string | undefined;

  /** Starts recording under `root`, whose files (`files`: relative name → bytes) are what a loss cannot take. */
  start(root: string, files: Map<string, Buffer>): void {
    this.#root = root;
    for (const [name, bytes] of files) {
      const inode = ++this.#inodes;
      this.initial.set(name, { inode, bytes });
      this.#names.set(name, inode);
      this.#sizes.set(inode, bytes.length);
    }
  }

  /** Stops recording: the ops stay, to be read. */
  stop(): void {
    this.#root = undefined;
  }

  #name(path: string): string | undefined {
    if (this.#root === undefined) return undefined;
    const name = relative(this.#root, path);
    return name.startsWith('..') ? undefined : name;
  }

  /** The real `fs` with the calls that change files recorded. */
  wrap<T extends FsCalls>(fs: T): T {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the wrappers are plain functions, called as fs's
    const t = this;
    return {
      ...fs,
      openSync(path: string, flags = 'r', mode?: number) {
        const fd = fs.openSync(path, flags, mode);
        const name = t.#name(path);
        if (name !== undefined) t.#opened(fd, name, flags, fs.statSync(path).isDirectory());
        return fd;
      },
      writeSync(fd: number, data: Buffer | string, offset?: number, length?: number, position?: number | null) {
        const n = fs.writeSync(fd, data, offset, length, position);
        const file = t.#open.get(fd);
        if (file?.inode !== undefined) {
          const bytes = typeof data === 'string' ? Buffer.from(data) : data.subarray(offset ?? 0, (offset ?? 0) + n);
          t.#wrote(file, bytes, position);
        }
        return n;
      },
      ftruncateSync(fd: number, size = 0) {
        fs.ftruncateSync(fd, size);
        const inode = t.#open.get(fd)?.inode;
        if (inode !== undefined) t.#truncated(inode, size);
      },
      fsyncSync(fd: number) {
        fs.fsyncSync(fd);
        const file = t.#open.get(fd);
        if (file?.dir !== undefined) t.ops.push({ kind: 'fsync-dir', dir: file.dir });
        else if (file?.inode !== undefined) t.ops.push({ kind: 'fsync-file', inode: file.inode });
      },
      closeSync(fd: number) {
        fs.closeSync(fd);
        t.#open.delete(fd);
      },
      renameSync(from: string, to: string) {
        fs.renameSync(from, to);
        const [a, b] = [t.#name(from), t.#name(to)];
        if (a === undefined || b === undefined) return;
        t.#names.set(b, t.#names.get(a)!);
        t.#names.delete(a);
        t.ops.push({ kind: 'rename', from: a, to: b });
      },
      rmSync(path: string, options?: object) {
        const name = t.#name(path);
        const there = name !== undefined && t.#names.has(name);
        fs.rmSync(path, options);
        if (there) t.#unlinked(name);
      },
      unlinkSync(path: string) {
        fs.unlinkSync(path);
        const name = t.#name(path);
        if (name !== undefined && t.#names.has(name)) t.#unlinked(name);
      },
    };
  }

  #opened(fd: number, name: string, flags: string, isDir: boolean): void {
    if (isDir) return void this.#open.set(fd, { dir: name, append: false, position: 0 });
    let inode = this.#names.get(name);
    if (inode === undefined && (flags.startsWith('w') || flags.startsWith('a'))) {
      inode = ++this.#inodes;
      this.#names.set(name, inode);
      this.#sizes.set(inode, 0);
      this.ops.push({ kind: 'create', path: name, inode });
    } else if (inode !== undefined && flags.startsWith('w')) this.#truncated(inode, 0);
    this.#open.set(fd, { inode, append: flags.startsWith('a'), position: 0 });
  }

  #wrote(file: OpenFile, bytes: Buffer, position: number | null | undefined): void {
    const inode = file.inode!;
    const at = file.append ? this.#sizes.get(inode)! : (position ?? file.position);
    this.ops.push({ kind: 'write', inode, at, bytes: Buffer.from(bytes) });
    this.#sizes.set(inode, Math.max(this.#sizes.get(inode)!, at + bytes.length));
    if (position === null || position === undefined) file.position = at + bytes.length;
  }

  #truncated(inode: number, size: number): void {
    this.#sizes.set(inode, size);
    this.ops.push({ kind: 'truncate', inode, size });
  }

  #unlinked(name: string): void {
    this.#names.delete(name);
    this.ops.push({ kind: 'unlink', path: name });
  }
}

/** One folder a power loss may leave: its files (relative name → bytes), and the last batch whose `save` had returned. */
export interface LossOutcome {
  readonly files: Map<string, Buffer>;
  readonly savedBefore: number | undefined;
  readonly what: string;
}

/** The folder a name change is made in (a rename within one folder: all this code does). */
const folderOf = (op: NameOp) => dirname(op.kind === 'rename' ? op.to : op.path);

/**
 * Every folder a power loss may leave, at every point of the trace. Each
 * folder's name changes survive in their order up to some point at or past
 * the last fsync of that folder, independently of other folders (POSIX
 * promises no order across folders); file bytes as last fsynced, or as last
 * written. Folders that come out the same are given once.
 */
export function* powerLossOutcomes(trace: FsTrace): Generator<LossOutcome> {
  const seen = new Set<string>();
  for (let crash = 0; crash <= trace.ops.length; crash++) {
    const done = trace.ops.slice(0, crash);
    const savedBefore = done.findLast((op) => op.kind === 'saved')?.batch;
    for (const names of keptNameChanges(done)) {
      for (const synced of [true, false]) {
        const files = folderAfter(trace, done, names.ops, synced);
        const key = [...files]
          .map(([n, b]) => `${n}:${b.toString('base64')}`)
          .sort()
          .join('|');
        if (seen.has(`${savedBefore}|${key}`)) continue;
        seen.add(`${savedBefore}|${key}`);
        const what = `power lost after op ${crash} of ${trace.ops.length}, name changes kept ${names.what}, file bytes ${synced ? 'as last fsynced' : 'as last written'}`;
        yield { files, savedBefore, what };
      }
    }
  }
}

/** Each combination of how many name changes every folder keeps: from those its last fsync made durable to all. */
function* keptNameChanges(done: readonly FsOp[]): Generator<{ ops: NameOp[]; what: string }> {
  const byFolder = new Map<string, { count: number; least: number }>();
  for (const op of done) {
    if (op.kind === 'create' || op.kind === 'rename' || op.kind === 'unlink') {
      const f = byFolder.get(folderOf(op)) ?? { count: 0, least: 0 };
      f.count++;
      byFolder.set(folderOf(op), f);
    } else if (op.kind === 'fsync-dir') {
      const f = byFolder.get(op.dir === '' ? '.' : op.dir);
      if (f) f.least = f.count;
    }
  }
  const folders = [...byFolder];
  const choice = folders.map(([, f]) => f.least);
  for (;;) {
    const kept = new Map(folders.map(([name], i) => [name, choice[i]!]));
    const seenIn = new Map<string, number>();
    const ops = done.filter((op): op is NameOp => {
      if (op.kind !== 'create' && op.kind !== 'rename' && op.kind !== 'unlink') return false;
      const n = (seenIn.get(folderOf(op)) ?? 0) + 1;
      seenIn.set(folderOf(op), n);
      return n <= kept.get(folderOf(op))!;
    });
    yield { ops, what: folders.map(([name, f], i) => `${name}: ${choice[i]} of ${f.count}`).join(', ') };
    // The next combination, like an odometer.
    let i = 0;
    while (i < folders.length && choice[i] === folders[i]![1].count) choice[i] = folders[i++]![1].least;
    if (i === folders.length) return;
    choice[i]!++;
  }
}

function folderAfter(trace: FsTrace, done: readonly FsOp[], names: readonly NameOp[], synced: boolean) {
  const inodeOf = new Map<string, number>();
  const content = new Map<number, Buffer>();
  for (const [name, { inode, bytes }] of trace.initial) {
    inodeOf.set(name, inode);
    content.set(inode, bytes);
  }
  for (const op of names) {
    if (op.kind === 'create') inodeOf.set(op.path, op.inode);
    else if (op.kind === 'unlink') inodeOf.delete(op.path);
    else {
      inodeOf.set(op.to, inodeOf.get(op.from)!);
      inodeOf.delete(op.from);
    }
  }
  const bytes = fileBytes(done, content, synced);
  return new Map([...inodeOf].map(([name, inode]) => [name, bytes.get(inode) ?? Buffer.alloc(0)]));
}

/** Each inode's bytes: as written, or as of its last fsync. */
function fileBytes(done: readonly FsOp[], initial: Map<number, Buffer>, synced: boolean): Map<number, Buffer> {
  const written = new Map(initial);
  const durable = new Map(initial);
  for (const op of done) {
    if (op.kind === 'write') {
      const old = written.get(op.inode) ?? Buffer.alloc(0);
      const next = Buffer.alloc(Math.max(old.length, op.at + op.bytes.length));
      old.copy(next);
      op.bytes.copy(next, op.at);
      written.set(op.inode, next);
    } else if (op.kind === 'truncate') {
      const old = written.get(op.inode) ?? Buffer.alloc(0);
      const next = Buffer.alloc(op.size);
      old.copy(next, 0, 0, Math.min(old.length, op.size));
      written.set(op.inode, next);
    } else if (op.kind === 'fsync-file') durable.set(op.inode, written.get(op.inode) ?? Buffer.alloc(0));
  }
  return synced ? durable : written;
}

/** The one trace a test records into (its `vi.mock('node:fs', …)` wraps the real module with it). */
export const fsTrace = new FsTrace();

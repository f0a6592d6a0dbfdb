import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { RunnerError } from '../../runtime/runner-error.ts';
import type { StateDelta, StateSnapshot } from './aggregation-state.ts';
import { keyOfText, storedKeyText, textGivesKey, unwindowed } from './state-key.ts';
import { appendStoreLog, readStoreLog, removeOtherLogs } from './store-log.ts';
import { StoreOverlay, type StoredValue } from './store-overlay.ts';

// The part of lmdb's API the store uses: typed here, so that nothing else names the optional package.
type StoredKey = [windowStart: number, text: string];
interface LmdbRange {
  readonly start: unknown;
  readonly end: unknown;
  readonly limit?: number;
}
interface LmdbDatabase {
  get(key: unknown): unknown;
  doesExist(key: unknown): boolean;
  getKeys(range: LmdbRange): Iterable<unknown>;
  getRange(range: LmdbRange): Iterable<{ key: unknown; value: unknown }>;
  putSync(key: unknown, value: unknown): void;
  removeSync(key: unknown): boolean;
}
interface LmdbRoot extends LmdbDatabase {
  openDB(name: string, options?: object): LmdbDatabase;
  transactionSync<T>(action: () => T): T;
  close(): Promise<void>;
}
export interface Lmdb {
  open(options: object): LmdbRoot;
}

/** The version of lmdb the project is tested with, for the message that says to install it. */
export const lmdbPackage = 'lmdb@3.5.6';

/** lmdb, loaded when a run asks for state on disk: an optional dependency, so a clear line when it is not installed. */
export async function loadLmdb(specifier = 'lmdb'): Promise<Lmdb> {
  try {
    return (await import(specifier)) as Lmdb;
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND';
    throw new RunnerError(
      missing
        ? `install lmdb to use --state disk (npm install ${lmdbPackage}): it is an optional dependency, not installed here`
        : `--state disk: lmdb did not load (${(error as Error).message}); reinstall it (npm install ${lmdbPackage})`,
    );
  }
}

/**
 * Named in the store: a store of another layout is refused, never misread.
 * Layout 2 added the delta log; a store of layout 1 (no log) reads as one of
 * layout 2 with an empty log, and is marked 2 when opened (see disk-checkpoints.ts).
 */
export const stateStoreLayout = 'idemflow-state-lmdb/2';
export const stateStoreLayoutWithoutLog = 'idemflow-state-lmdb/1';

/** What the store says of itself: written once, when it is made. */
export interface StoreIdentity {
  readonly layout: string;
  readonly pipeline: string;
  /** Ties the store to one checkpoint folder (see disk-checkpoints.ts). */
  readonly pairing: string;
}

/** When the logged checkpoints are merged into LMDB. */
export interface StoreMergeOptions {
  /**
   * Once they hold this many entries (default 200,000): what memory holds beside the store at most. A checkpoint
   * that changes this many entries on its own goes straight into LMDB, unlogged.
   */
  readonly mergeAfterEntries?: number;
  /** … or once the log holds this many bytes (default 32 MiB): what a restore reads at most. */
  readonly mergeAfterLogBytes?: number;
}

/** A committed entry: its key, its window start (`unwindowed` without windows) and its accumulator. */
export type StoredEntry = readonly [key: unknown, windowStart: number, acc: unknown];

/** The store's own record of what it holds: the watermark, the open windows with their entry counts, the log generation. */
interface StoredState {
  readonly watermark: number;
  readonly windows: [number, number][];
  readonly log?: number;
}

const windowRange = (start: number): LmdbRange => ({ start: [start], end: [start, '~'] });

const entryOf = (windowStart: number, text: string, value: StoredValue): StoredEntry => [
  value.length > 1 ? value[1] : keyOfText(text),
  windowStart,
  value[0],
];

/**
 * Keyed window state on disk, keyed by (window start, key): what a run with
 * `--state disk` holds instead of a map in memory. Two parts:
 * - LMDB, the state as of the last merge: entries, one record of the open
 *   windows (entries each) and the log generation, and the head;
 * - the delta log of the checkpoints since (store-log.ts), whose changes
 *   memory also holds (store-overlay.ts).
 * A checkpoint is one append to the log, fsynced: it writes the bytes of
 * what changed, where an LMDB commit copies every 4 KiB page a changed key
 * is on (a key each, for a batch's keys spread over a million). Once the log
 * holds `mergeAfterEntries` entries or `mergeAfterLogBytes` bytes, one LMDB
 * write transaction merges them — evictions, entries in key order, the head,
 * the next log generation — durable when it returns; then the next log
 * starts. A crash anywhere leaves the last merge plus the log's checkpoints
 * after it. Reads see the last checkpoint.
 */
export class StateStore {
  readonly #root: LmdbRoot;
  readonly #entries: LmdbDatabase;
  readonly #meta: LmdbDatabase;
  readonly #overlay = new StoreOverlay();
  /** Window start → entries held in it, as of the last checkpoint. */
  #windows = new Map<number, number>();
  #watermark = -Infinity;
  #head: string | undefined;
  #generation = 1;
  #logBytes = 0;
  #pipeline = '';
  /**
   * Per window, whether LMDB held each key `getToSet` read there (and the overlay did not): the next checkpoint
   * sets those keys, and counts the new ones by this instead of a second lookup.
   */
  readonly #read = new Map<number, Map<string, boolean>>();

  private constructor(
    root: LmdbRoot,
    readonly dir: string,
    readonly options: StoreMergeOptions,
  ) {
    this.#root = root;
    this.#entries = root.openDB('entries');
    this.#meta = root.openDB('meta');
    this.#load();
    removeOtherLogs(dir, this.#generation);
  }

  /** Opens (or makes) the store in `dir`: the file `state.mdb`, its lock file and the delta log. */
  static open(lmdb: Lmdb, dir: string, options: StoreMergeOptions = {}): StateStore {
    mkdirSync(dir, { recursive: true });
    // overlappingSync off: a commit is on disk when it returns, before the WAL is cut or Kafka's offsets move.
    // noReadAhead: reads are random; reading ahead would pull pages nobody asked for into memory.
    // mapSize: address space reserved once (the file grows only with its data). Grown on demand, lmdb-js maps the
    // file again and again, and the old mappings' resident pages count in RSS once each: 609 MB for a 221 MB store.
    const root = lmdb.open({
      path: join(dir, 'state.mdb'),
      overlappingSync: false,
      noReadAhead: true,
      mapSize: 2 ** 40,
    });
    return new StateStore(root, dir, options);
  }

  /** The last checkpoint: the last merge, then each logged delta after it. */
  #load(): void {
    const state = this.#meta.get('state') as StoredState | undefined;
    this.#windows = new Map(state?.windows ?? []);
    this.#watermark = state?.watermark ?? -Infinity;
    this.#generation = state?.log ?? 1;
    this.#head = this.#meta.get('head') as string | undefined;
    this.#pipeline = this.identity()?.pipeline ?? '';
    this.#overlay.clear();
    this.#read.clear();
    const merged = this.#head === undefined ? 0 : ((JSON.parse(this.#head) as { batch?: number }).batch ?? 0);
    const log = readStoreLog(this.dir, this.#generation, this.#pipeline, merged);
    for (const { delta, head } of log.deltas) {
      this.#apply(delta);
      this.#head = head;
    }
    this.#logBytes = log.bytes;
  }

  identity(): StoreIdentity | undefined {
    return this.#meta.get('identity') as StoreIdentity | undefined;
  }

  /** Written before the first checkpoint (and to mark a store of layout 1 as 2). */
  setIdentity(identity: StoreIdentity): void {
    this.#root.transactionSync(() => this.#meta.putSync('identity', identity));
    this.#pipeline = identity.pipeline;
  }

  /** The last committed checkpoint's head, as JSON (see `commit`). */
  head(): string | undefined {
    return this.#head;
  }

  get watermark(): number {
    return this.#watermark;
  }

  /** Open windows with the entries each holds, as last committed. */
  get windows(): ReadonlyMap<number, number> {
    return this.#windows;
  }

  /** Entries the log holds beside LMDB: memory's share of the store, until the next merge. */
  get unmerged(): number {
    return this.#overlay.size;
  }

  /** The committed accumulator of (window, key), in a one-element array (an accumulator may itself be undefined). */
  get(windowStart: number, key: unknown): [acc: unknown] | undefined {
    return this.#lookUp(windowStart, storedKeyText(key), false);
  }

  /** `get` for a key the next checkpoint sets: what LMDB said of it is kept, so that the checkpoint need not ask again. */
  getToSet(windowStart: number, key: unknown): [acc: unknown] | undefined {
    return this.#lookUp(windowStart, storedKeyText(key), true);
  }

  #lookUp(windowStart: number, text: string, remember: boolean): [acc: unknown] | undefined {
    const logged = this.#overlay.get(windowStart, text);
    if (logged) return [logged[0]];
    if (this.#overlay.evicted.has(windowStart)) return undefined;
    const value = this.#entries.get([windowStart, text]) as StoredValue | undefined;
    if (remember) {
      let read = this.#read.get(windowStart);
      if (!read) {
        read = new Map<string, boolean>();
        this.#read.set(windowStart, read);
      }
      read.set(text, value !== undefined);
    }
    return value && [value[0]];
  }

  /** The committed entries of a window: those of the last merge in key order, then those logged since. */
  *entries(windowStart: number): Iterable<StoredEntry> {
    const logged = this.#overlay.windows.get(windowStart);
    if (!this.#overlay.evicted.has(windowStart))
      for (const { key, value } of this.#entries.getRange(windowRange(windowStart))) {
        const [, text] = key as StoredKey;
        if (!logged?.has(text)) yield entryOf(windowStart, text, value as StoredValue);
      }
    for (const [text, value] of logged ?? []) yield entryOf(windowStart, text, value);
  }

  /**
   * One checkpoint: the windows the state evicted leave, the entries it
   * changed are set as they stand (or, for a whole snapshot, replace
   * everything), and the head is set. Appended to the log, or merged into
   * LMDB (see the class); either all of it is committed, or none.
   */
  commit(state: StateSnapshot | StateDelta | undefined, head: string, batch: number): void {
    const delta: StateDelta = state && 'kind' in state ? state : emptyDelta(this.#watermark);
    if ((state && !('kind' in state)) || delta.entries.length >= this.#mergeAfterEntries()) {
      this.#mergeNow(state!, head);
      return;
    }
    const write = { pipeline: this.#pipeline, batch, head, delta };
    this.#logBytes = appendStoreLog(this.dir, this.#generation, this.#logBytes, write);
    this.#apply(delta);
    this.#head = head;
    if (
      this.#overlay.size >= this.#mergeAfterEntries() ||
      this.#logBytes >= (this.options.mergeAfterLogBytes ?? 2 ** 25)
    )
      this.#merge();
  }

  #mergeAfterEntries(): number {
    return this.options.mergeAfterEntries ?? 200_000;
  }

  /** A checkpoint straight into LMDB with what the log holds; if that fails, memory goes back to the last checkpoint. */
  #mergeNow(state: StateSnapshot | StateDelta, head: string): void {
    try {
      this.#apply(state);
      this.#head = head;
      this.#merge();
    } catch (error) {
      this.#load();
      throw error;
    }
  }

  /** A checkpoint's changes, onto the last one's (in memory: the log or a merge makes them durable). */
  #apply(state: StateSnapshot | StateDelta): void {
    const evicted = 'kind' in state ? state.evicted : [...this.#windows.keys()];
    if (!('kind' in state)) this.#read.clear();
    for (const start of evicted) {
      this.#overlay.evict(start);
      this.#windows.delete(start);
      this.#read.delete(start);
    }
    for (const [key, windowStart, acc] of state.entries) this.#set(key, windowStart ?? unwindowed, acc);
    this.#watermark = state.watermark ?? -Infinity;
  }

  #set(key: unknown, windowStart: number, acc: unknown): void {
    const text = storedKeyText(key);
    const overlay = this.#overlay;
    const read = this.#read.get(windowStart);
    const stored = read?.get(text);
    if (stored !== undefined) read!.delete(text);
    const held =
      overlay.get(windowStart, text) !== undefined ||
      (!overlay.evicted.has(windowStart) && (stored ?? this.#entries.doesExist([windowStart, text])));
    overlay.put(windowStart, text, textGivesKey(text, key) ? [acc] : [acc, key]);
    if (!held) this.#windows.set(windowStart, (this.#windows.get(windowStart) ?? 0) + 1);
  }

  /** What the log holds, into LMDB in one write transaction that also starts the next log; then the old log goes. */
  #merge(): void {
    const overlay = this.#overlay;
    const next = this.#generation + 1;
    this.#root.transactionSync(() => {
      for (const start of overlay.evicted) this.#removeWindow(start);
      // In key order: neighbours share pages, which a transaction then writes once.
      for (const [start, texts] of overlay.windows)
        for (const text of [...texts.keys()].sort()) this.#entries.putSync([start, text], texts.get(text));
      const state: StoredState = { watermark: this.#watermark, windows: [...this.#windows], log: next };
      this.#meta.putSync('state', state);
      this.#meta.putSync('head', this.#head);
    });
    overlay.clear();
    this.#generation = next;
    this.#logBytes = 0;
    removeOtherLogs(this.dir, next);
  }

  /** A window's stored entries leave, a slice at a time (a cursor over keys being removed is not to be trusted). */
  #removeWindow(windowStart: number): void {
    for (;;) {
      const keys = [...this.#entries.getKeys({ ...windowRange(windowStart), limit: 10_000 })];
      if (keys.length === 0) break;
      for (const key of keys) this.#entries.removeSync(key);
    }
  }

  close(): Promise<void> {
    return this.#root.close();
  }
}

const emptyDelta = (watermark: number): StateDelta => ({ kind: 'delta', watermark, evicted: [], entries: [] });

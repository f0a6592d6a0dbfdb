import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { RunnerError } from '../../runtime/runner-error.ts';
import type { StateDelta, StateSnapshot } from './aggregation-state.ts';
import { keyOfText, storedKeyText, textGivesKey, unwindowed } from './state-key.ts';

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

/** Named in the store: a store of another layout is refused, never misread. */
export const stateStoreLayout = 'idemflow-state-lmdb/1';

/** What the store says of itself: written once, when it is made. */
export interface StoreIdentity {
  readonly layout: string;
  readonly pipeline: string;
  /** Ties the store to one checkpoint folder (see disk-checkpoints.ts). */
  readonly pairing: string;
}

/** A committed entry: its key, its window start (`unwindowed` without windows) and its accumulator. */
export type StoredEntry = readonly [key: unknown, windowStart: number, acc: unknown];

const windowRange = (start: number): LmdbRange => ({ start: [start], end: [start, '~'] });

/**
 * Keyed window state in LMDB, keyed by (window start, key): what a run with
 * `--state disk` holds instead of a map in memory. Beside the entries, one
 * record says which windows are open and how many entries each holds, and one
 * holds the head of the last checkpoint. `commit` writes a checkpoint's
 * changes, evictions and head in one write transaction, durable when it
 * returns (no overlapping sync): the store is the checkpoint, with no second
 * copy. Reads see the last commit.
 */
export class StateStore {
  readonly #root: LmdbRoot;
  readonly #entries: LmdbDatabase;
  readonly #meta: LmdbDatabase;
  /** Window start → entries committed in it. */
  #windows: Map<number, number>;
  #watermark: number;

  private constructor(root: LmdbRoot) {
    this.#root = root;
    this.#entries = root.openDB('entries');
    this.#meta = root.openDB('meta');
    const state = this.#meta.get('state') as { watermark: number; windows: [number, number][] } | undefined;
    this.#windows = new Map(state?.windows ?? []);
    this.#watermark = state?.watermark ?? -Infinity;
  }

  /** Opens (or makes) the store in `dir`: the file `state.mdb` and its lock file. */
  static open(lmdb: Lmdb, dir: string): StateStore {
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
    return new StateStore(root);
  }

  identity(): StoreIdentity | undefined {
    return this.#meta.get('identity') as StoreIdentity | undefined;
  }

  /** Written once, before the first checkpoint. */
  setIdentity(identity: StoreIdentity): void {
    this.#root.transactionSync(() => this.#meta.putSync('identity', identity));
  }

  /** The last committed checkpoint's head, as JSON (see `commit`). */
  head(): string | undefined {
    return this.#meta.get('head') as string | undefined;
  }

  get watermark(): number {
    return this.#watermark;
  }

  /** Open windows with the entries each holds, as last committed. */
  get windows(): ReadonlyMap<number, number> {
    return this.#windows;
  }

  /** The committed accumulator of (window, key), in a one-element array (an accumulator may itself be undefined). */
  get(windowStart: number, key: unknown): [acc: unknown] | undefined {
    const value = this.#entries.get([windowStart, storedKeyText(key)]) as unknown[] | undefined;
    return value && [value[0]];
  }

  /** The committed entries of a window, in key order. */
  *entries(windowStart: number): Iterable<StoredEntry> {
    for (const { key, value } of this.#entries.getRange(windowRange(windowStart))) {
      const [, text] = key as StoredKey;
      const [acc, ...kept] = value as unknown[];
      yield [kept.length > 0 ? kept[0] : keyOfText(text), windowStart, acc];
    }
  }

  /**
   * One checkpoint in one write transaction: the windows the state evicted
   * leave (a range delete each), the entries it changed are written as they
   * stand (or, for a whole snapshot, replace everything), and the head is
   * set. Either all of it is committed, or none.
   */
  commit(state: StateSnapshot | StateDelta | undefined, head: string): void {
    const windows = new Map(this.#windows);
    const watermark = state ? (state.watermark ?? -Infinity) : this.#watermark;
    this.#root.transactionSync(() => {
      if (state && !('kind' in state)) for (const start of [...windows.keys()]) this.#evict(start, windows);
      for (const start of state && 'kind' in state ? state.evicted : []) this.#evict(start, windows);
      for (const [key, windowStart, acc] of state?.entries ?? [])
        this.#put(key, windowStart ?? unwindowed, acc, windows);
      this.#meta.putSync('state', { watermark, windows: [...windows] });
      this.#meta.putSync('head', head);
    });
    this.#windows = windows;
    this.#watermark = watermark;
  }

  #put(key: unknown, windowStart: number, acc: unknown, windows: Map<number, number>): void {
    const text = storedKeyText(key);
    const stored: StoredKey = [windowStart, text];
    if (!this.#entries.doesExist(stored)) windows.set(windowStart, (windows.get(windowStart) ?? 0) + 1);
    this.#entries.putSync(stored, textGivesKey(text, key) ? [acc] : [acc, key]);
  }

  /** A window's entries leave, a slice at a time (a cursor over keys being removed is not to be trusted). */
  #evict(windowStart: number, windows: Map<number, number>): void {
    for (;;) {
      const keys = [...this.#entries.getKeys({ ...windowRange(windowStart), limit: 10_000 })];
      if (keys.length === 0) break;
      for (const key of keys) this.#entries.removeSync(key);
    }
    windows.delete(windowStart);
  }

  close(): Promise<void> {
    return this.#root.close();
  }
}

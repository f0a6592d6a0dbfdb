import { keyId, unwindowed } from './state-key.ts';
import type { StateStore, StoredEntry } from './state-store.ts';

/** An entry of the state as the bookkeeping below sees it. */
export interface BackedEntry {
  readonly key: unknown;
  readonly windowStart: number | undefined;
  dirty: boolean;
  unsaved: boolean;
}

type Windows<E> = Map<number, Map<unknown, E>>;

/**
 * What an `AggregationState` whose entries live in a `StateStore` (`--state
 * disk`) keeps track of, so that memory holds only what changed since the
 * last saved checkpoint: an entry is read from the store when a batch first
 * touches it, and leaves memory once a saved checkpoint holds it and nothing
 * changed it since. Costs what changed, never what the store holds.
 */
export class BackedEntries<E extends BackedEntry> {
  /** Entries made in memory and not yet in a saved checkpoint: the store does not count them. */
  readonly #fresh = new Set<E>();
  /** The entries of each checkpoint taken and not yet saved, oldest first. */
  readonly #taken: E[][] = [];
  /** How many of those checkpoints hold each entry: one still held stays in memory (the store has an older value). */
  readonly #holds = new Map<E, number>();
  /** Windows evicted in memory whose entries the store may still hold until a saved checkpoint removes them. */
  readonly #gone = new Set<number>();

  constructor(readonly store: StateStore) {}

  /** The stored accumulator of a key memory does not hold, in a one-element array; undefined if the store has none. */
  load(windowStart: number, key: unknown): [acc: unknown] | undefined {
    return this.store.getToSet(windowStart, key); // every key loaded is changed, and set by the next checkpoint
  }

  created(entry: E): void {
    this.#fresh.add(entry);
  }

  /** Windows the store holds, not in memory and not evicted: a watermark advance may close them too. */
  storedWindows(memory: Windows<E>): number[] {
    return [...this.store.windows.keys()].filter((start) => !memory.has(start) && !this.#gone.has(start));
  }

  /** A window evicted: the stored entries memory does not hold go to `each` (final rows); returns how many it held beside memory. */
  evict(start: number, memory: Map<unknown, E> | undefined, each?: (entry: StoredEntry) => void): number {
    if (this.#gone.has(start)) return 0;
    let n = 0;
    if (each) {
      for (const entry of this.stored(start, memory)) {
        each(entry);
        n++;
      }
    } else {
      n = this.store.windows.get(start) ?? 0;
      for (const e of memory?.values() ?? []) if (!this.#fresh.has(e)) n--;
    }
    this.#gone.add(start);
    return n;
  }

  /** The committed entries of a window that memory does not hold (memory's are newer). */
  *stored(start: number, memory: Map<unknown, E> | undefined): Iterable<StoredEntry> {
    if (this.#gone.has(start)) return;
    for (const entry of this.store.entries(start)) if (!memory?.has(keyId(entry[0]))) yield entry;
  }

  /** Entries held, in the store or only in memory: the bound the runner reports. */
  size(): number {
    let n = 0;
    for (const [start, count] of this.store.windows) if (!this.#gone.has(start)) n += count;
    for (const e of this.#fresh) if (!this.#gone.has(e.windowStart ?? unwindowed)) n++;
    return n;
  }

  /** A checkpoint was taken with these entries. */
  taken(entries: readonly E[]): void {
    this.#taken.push([...entries]);
    for (const e of entries) this.#holds.set(e, (this.#holds.get(e) ?? 0) + 1);
  }

  /**
   * The oldest checkpoint taken is saved: its entries are in the store now,
   * and those that no later checkpoint holds and that nothing changed since
   * leave memory.
   */
  saved(memory: Windows<E>): void {
    for (const e of this.#taken.shift() ?? []) {
      const holds = this.#holds.get(e)! - 1;
      this.#fresh.delete(e);
      if (holds > 0) {
        this.#holds.set(e, holds);
        continue;
      }
      this.#holds.delete(e);
      if (e.unsaved || e.dirty) continue;
      const start = e.windowStart ?? unwindowed;
      const keys = memory.get(start);
      const id = keyId(e.key);
      if (keys?.get(id) !== e) continue;
      keys.delete(id);
      if (keys.size === 0) memory.delete(start);
    }
    // With no checkpoint pending, a window the store does not hold can never enter it again: forget it.
    if (this.#taken.length === 0)
      for (const start of this.#gone) if (!this.store.windows.has(start)) this.#gone.delete(start);
  }

  /** Back to the store's last commit: nothing in memory is pending any more. */
  reset(): void {
    this.#fresh.clear();
    this.#taken.length = 0;
    this.#holds.clear();
    this.#gone.clear();
  }
}

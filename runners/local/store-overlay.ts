/** A stored value: the accumulator, and the key beside it when its stored text does not give it back (see state-key.ts). */
export type StoredValue = readonly unknown[];

/**
 * The changes of the checkpoints an LMDB state store logged and has not
 * merged yet (see state-store.ts): per window, the entries set (stored key
 * text → value, as they stand), and the windows evicted, whose entries in
 * the store no longer count. Applied to the store in that order — evictions,
 * then entries — it gives the state of the last checkpoint.
 */
export class StoreOverlay {
  readonly windows = new Map<number, Map<string, StoredValue>>();
  readonly evicted = new Set<number>();
  /** Entries held, over all windows: what a merge will write. */
  size = 0;

  get(windowStart: number, text: string): StoredValue | undefined {
    return this.windows.get(windowStart)?.get(text);
  }

  /** Sets an entry; returns whether the overlay had none for it. */
  put(windowStart: number, text: string, value: StoredValue): boolean {
    let texts = this.windows.get(windowStart);
    if (!texts) {
      texts = new Map();
      this.windows.set(windowStart, texts);
    }
    const before = texts.size;
    texts.set(text, value);
    if (texts.size === before) return false;
    this.size++;
    return true;
  }

  /** A window leaves: the entries set in it here, and (at the merge) those in the store. */
  evict(windowStart: number): void {
    this.size -= this.windows.get(windowStart)?.size ?? 0;
    this.windows.delete(windowStart);
    this.evicted.add(windowStart);
  }

  clear(): void {
    this.windows.clear();
    this.evicted.clear();
    this.size = 0;
  }
}

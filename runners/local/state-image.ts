import type { StateDelta, StateSnapshot, StateTarget } from './aggregation-state.ts';
import { keyId, unwindowed } from './state-key.ts';

type StoredEntry = StateSnapshot['entries'][number];

/**
 * The aggregation state as a checkpoint holds it, rebuilt from a whole
 * snapshot and the deltas after it. Applying a delta costs what the delta
 * holds: its evicted windows leave (one map each), then its changed entries
 * replace theirs. The state itself only ever leaves as a whole in `snapshot`.
 */
export class StateImage implements StateTarget {
  readonly #windows = new Map<number, Map<unknown, StoredEntry>>();
  #watermark = -Infinity;

  static of(snapshot: StateSnapshot): StateImage {
    const image = new StateImage();
    image.restore(snapshot);
    return image;
  }

  restore(snapshot: StateSnapshot): void {
    this.#windows.clear();
    this.#watermark = snapshot.watermark ?? -Infinity;
    this.#put(snapshot.entries);
  }

  apply(delta: StateDelta): void {
    this.#watermark = delta.watermark ?? -Infinity;
    for (const start of delta.evicted) this.#windows.delete(start);
    this.#put(delta.entries);
  }

  #put(entries: readonly StoredEntry[]): void {
    for (const entry of entries) {
      const start = entry[1] ?? unwindowed;
      let keys = this.#windows.get(start);
      if (!keys) this.#windows.set(start, (keys = new Map<unknown, StoredEntry>()));
      keys.set(keyId(entry[0]), entry);
    }
  }

  get size(): number {
    let n = 0;
    for (const keys of this.#windows.values()) n += keys.size;
    return n;
  }

  snapshot(): StateSnapshot {
    const entries: StoredEntry[] = [];
    for (const keys of this.#windows.values()) for (const entry of keys.values()) entries.push(entry);
    return { watermark: this.#watermark, entries };
  }
}

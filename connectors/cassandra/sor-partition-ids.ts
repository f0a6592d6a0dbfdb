/**
 * The ids of one partition met so far, by their two 32-bit hashes
 * (`idHashes`), each naming where its copy lies: a block (its place in the
 * partition) and the pair in it. An open-addressing table grown by
 * doubling, in typed arrays: no string held, no Map, no number boxed an id.
 * A streamed read asks it, block after block, whether an id of the block
 * came before in the same partition (a replay cut differently); the caller
 * tells a true copy from a meeting of hashes.
 */
export class PartitionIds {
  /** Per slot: the id's two hashes, its block + 1 (0: empty), its pair. */
  #slots = new Int32Array(4 * 1024);
  #count = 0;

  get size(): number {
    return this.#count;
  }

  /**
   * The copies met before whose hashes are those at `hashes[at]`, `hashes[at + 1]`,
   * each offered to `same(block, pair)` until it answers true; returns that
   * copy's slot (see `blockAt`, `pairAt`), or -1 when none (the id is then
   * added, as held in `block`, `pair`).
   */
  firstOrAdd(hashes: Uint32Array, at: number, block: number, pair: number, same: (b: number, p: number) => boolean) {
    const h1 = hashes[at]! | 0;
    const h2 = hashes[at + 1]! | 0;
    const s = this.#slots;
    const mask = s.length / 4 - 1;
    let slot = h1 & mask;
    for (;;) {
      const held = s[slot * 4 + 2]!;
      if (held === 0) break;
      if (s[slot * 4] === h1 && s[slot * 4 + 1] === h2 && same(held - 1, s[slot * 4 + 3]!)) return slot;
      slot = (slot + 1) & mask;
    }
    this.#put(slot, h1, h2, block, pair);
    return -1;
  }

  blockAt(slot: number): number {
    return this.#slots[slot * 4 + 2]! - 1;
  }

  pairAt(slot: number): number {
    return this.#slots[slot * 4 + 3]!;
  }

  #put(slot: number, h1: number, h2: number, block: number, pair: number): void {
    const s = this.#slots;
    s[slot * 4] = h1;
    s[slot * 4 + 1] = h2;
    s[slot * 4 + 2] = block + 1;
    s[slot * 4 + 3] = pair;
    // Half full at most, so a probe ends soon.
    if (++this.#count * 2 > s.length / 4) this.#grow();
  }

  #grow(): void {
    const old = this.#slots;
    this.#slots = new Int32Array(old.length * 2);
    const mask = this.#slots.length / 4 - 1;
    for (let o = 0; o < old.length; o += 4) {
      if (old[o + 2] === 0) continue;
      let slot = old[o]! & mask;
      while (this.#slots[slot * 4 + 2] !== 0) slot = (slot + 1) & mask;
      this.#slots.set(old.subarray(o, o + 4), slot * 4);
    }
  }

  /** Emptied for the next partition (the table keeps its size: partitions are alike). */
  clear(): void {
    if (this.#count > 0) this.#slots.fill(0);
    this.#count = 0;
  }
}

import { idHash } from './sor-bucket.ts';

/**
 * Which of a batch's events are an id's earlier copy (1), where the same id
 * comes again later in the batch; undefined when every id comes once (the
 * common case). An id twice in a batch may lie in two partitions (its event
 * time differs: a producer's retry stamping its send time), and the blocks
 * of a batch are written side by side: the copy every reader keeps (the one
 * written last, by Cassandra's write time) would be whichever block landed
 * last, not the batch's last copy, as an upsert keyed by the id leaves it.
 * So an earlier copy is not written at all. An open-addressing table of the
 * ids' hashes (`hashes[i]` is `idHash(ids[i])` where the caller has it);
 * strings are compared only when hashes meet.
 */
export function earlierCopies(ids: readonly string[], hashes?: Uint32Array): Uint8Array | undefined {
  const n = ids.length;
  if (n < 2) return undefined;
  const mask = 2 ** Math.ceil(Math.log2(n * 2)) - 1;
  const slots = new Int32Array(mask + 1);
  let earlier: Uint8Array | undefined;
  for (let i = n - 1; i >= 0; i--) {
    const hash = hashes ? hashes[i]! : idHash(ids[i]!);
    let slot = hash & mask;
    for (let held = slots[slot]!; held !== 0; held = slots[slot]!) {
      const j = held - 1;
      if ((hashes ? hashes[j] : idHash(ids[j]!)) === hash && ids[j] === ids[i]) {
        (earlier ??= new Uint8Array(n))[i] = 1;
        break;
      }
      slot = (slot + 1) & mask;
    }
    if (slots[slot] === 0) slots[slot] = i + 1;
  }
  return earlier;
}

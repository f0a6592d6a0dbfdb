import { idHash } from './sor-bucket.ts';

/** A position within one partition's events of a batch fits in the low 21 bits of a sort key (hash × 2²¹ + position < 2⁵³). */
const positionRange = 2 ** 21;

const byIdAt = (ids: readonly string[]) => (a: number, b: number) =>
  ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : 0;

/**
 * The order a block keeps its events in: by the hash of each id (`idHash`,
 * the one that picks the id's partition), ids of one hash by the id, each id
 * once, its last event in the batch kept. A function of the set of ids
 * alone, so a replay that gives a partition the same events in another
 * order cuts the same blocks under the same keys. Sorting by id, as blocks
 * did before, was a third of the archive's encoding on the runner's thread
 * (a string compare a step, ~60 ms of 300,000 events); this sorts numbers
 * in a typed array, and compares strings only where two ids share a hash.
 *
 * `at` are the places of the partition's events in the batch, in batch
 * order; `hashes[i]` is `idHash(ids[i])` where the caller has it already.
 */
export function blockOrder(ids: readonly string[], at: readonly number[], hashes?: Uint32Array): number[] {
  const n = at.length;
  if (n >= positionRange) return byIdHashSlow(ids, at);
  const keys = new Float64Array(n);
  for (let k = 0; k < n; k++) keys[k] = (hashes ? hashes[at[k]!]! : idHash(ids[at[k]!]!)) * positionRange + k;
  keys.sort();
  const order: number[] = [];
  for (let k = 0; k < n;) {
    const hash = Math.floor(keys[k]! / positionRange);
    let end = k + 1;
    while (end < n && Math.floor(keys[end]! / positionRange) === hash) end++;
    if (end === k + 1) order.push(at[keys[k]! % positionRange]!);
    else lastOfEachId(ids, sharedHash(at, keys, k, end), order);
    k = end;
  }
  return order;
}

/** The places of the events from key k to end (one hash), in batch order (a key ends in its place). */
function sharedHash(at: readonly number[], keys: Float64Array, k: number, end: number): number[] {
  const places: number[] = [];
  for (let j = k; j < end; j++) places.push(at[keys[j]! % positionRange]!);
  return places;
}

/** Appends the places of one hash to `order` by id (a stable sort: of an id's copies, the last in the batch is kept). */
function lastOfEachId(ids: readonly string[], places: number[], order: number[]): void {
  places.sort(byIdAt(ids));
  for (let j = 0; j < places.length; j++)
    if (j + 1 === places.length || ids[places[j + 1]!] !== ids[places[j]!]) order.push(places[j]!);
}

/** The same order for a partition of 2²¹ events or more in one batch (more than a sort key can place). */
function byIdHashSlow(ids: readonly string[], at: readonly number[]): number[] {
  const byId = byIdAt(ids);
  const sorted = [...at].sort((a, b) => idHash(ids[a]!) - idHash(ids[b]!) || byId(a, b));
  return sorted.filter((e, i) => i + 1 === sorted.length || ids[sorted[i + 1]!] !== ids[e]);
}

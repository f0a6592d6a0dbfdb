import { isDeepStrictEqual } from 'node:util';

/**
 * How far a system of record may reach past a checkpoint. A batch archives
 * its events before the checkpoint that covers it; when the process dies in
 * between, the restart reads from the older checkpoint again — and a source
 * like Kafka, whose batches are cut by what each fetch brought, may cut them
 * differently, so a clean stop can leave archived events past the checkpoint
 * that the stream will read again. Repair must not count those in the
 * stream's state (they would count twice), so checkpoints carry this reach.
 *
 * Positions are numbers (file lines, generator slots), WAL positions
 * (segment, then byte offset in it), objects of numbers (Kafka offsets by
 * partition) or opaque values compared whole.
 */
type Offsets = Readonly<Record<string, number>>;
interface WalAt {
  readonly segment: number;
  readonly offset: number;
}

/** A WAL position orders by segment first: compared key by key like Kafka offsets, a later segment's small offset looked behind. */
const isWalAt = (p: unknown): p is WalAt =>
  typeof p === 'object' &&
  p !== null &&
  Object.keys(p).length === 2 &&
  typeof (p as WalAt).segment === 'number' &&
  typeof (p as WalAt).offset === 'number';
const walAtOrPast = (a: WalAt, b: WalAt) => a.segment > b.segment || (a.segment === b.segment && a.offset >= b.offset);

const isOffsets = (p: unknown): p is Offsets =>
  typeof p === 'object' && p !== null && !Array.isArray(p) && Object.values(p).every((v) => typeof v === 'number');

/** Whether position `a` is at or past position `b`. */
export function covers(a: unknown, b: unknown): boolean {
  if (b === undefined) return true;
  if (typeof a === 'number' && typeof b === 'number') return a >= b;
  if (isWalAt(a) && isWalAt(b)) return walAtOrPast(a, b);
  if (isOffsets(a) && isOffsets(b)) return Object.entries(b).every(([k, v]) => (a[k] ?? Number.NEGATIVE_INFINITY) >= v);
  return isDeepStrictEqual(a, b);
}

/** The further of two positions (per partition for offsets); the later one where they cannot be compared. */
export function furthest(a: unknown, b: unknown): unknown {
  if (a === undefined) return b;
  if (b === undefined) return a;
  if (typeof a === 'number' && typeof b === 'number') return Math.max(a, b);
  if (isWalAt(a) && isWalAt(b)) return walAtOrPast(a, b) ? a : b;
  if (isOffsets(a) && isOffsets(b)) {
    const out: Record<string, number> = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = Math.max(out[k] ?? Number.NEGATIVE_INFINITY, v);
    return out;
  }
  return b;
}

/** The reach that still lies past `position`, or undefined when the position covers it. */
export const pastPosition = (position: unknown, reach: unknown): unknown =>
  covers(position, reach) ? undefined : reach;

/**
 * The reach to record when a new batch's progress replaces `old`: a batch in
 * flight that never got its checkpoint may have archived up to its end.
 */
export function reachBeforeBatch(
  checkpoint: { position: unknown; archiveReach?: unknown } | undefined,
  old: { batchEnd: unknown; archiveReach?: unknown } | undefined,
): unknown {
  const unfinished = old && !isDeepStrictEqual(old.batchEnd, checkpoint?.position) ? old.batchEnd : undefined;
  return pastPosition(
    checkpoint?.position,
    furthest(furthest(checkpoint?.archiveReach, old?.archiveReach), unfinished),
  );
}

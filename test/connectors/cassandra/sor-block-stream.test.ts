import { describe, expect, it } from 'vitest';
import { HeldBlock, StreamedPartition, type StreamVerdict } from '../../../connectors/cassandra/sor-block-stream.ts';
import { cutBlocks } from '../../../connectors/cassandra/sor-blocks.ts';
import { CopyHashes } from '../../../connectors/cassandra/sor-copy-hashes.ts';
import { PartitionIds } from '../../../connectors/cassandra/sor-partition-ids.ts';

/** Ids and events with everything that could put a scanner off: escapes, quotes, brackets, unicode. */
const hardIds = ['plain', 'q"uote', 'back\\slash', 'tab\there', '\u0001', 'é', '😀', '\u2028', '', ']', '"],["'];
const eventOf = (id: string, v: unknown = 1) => ({ id, text: '"],["', nested: [[1], ['x', { a: ']' }]], v });

/** One block as the writer cuts it (ids sorted), held as the stream holds it. */
function blockOf(key: string, written: bigint, events: readonly { id: string }[]) {
  const [cut] = cutBlocks(
    'b',
    events.map((e) => ({ eventId: e.id, json: JSON.stringify(e) })),
  );
  return { held: new HeldBlock(key, written, cut!.events), pairs: JSON.parse(cut!.events) as [string, unknown][] };
}

/** The blocks streamed in turn through one partition: which copies each leaves out, and the verdict. */
function streamed(blocks: readonly ReturnType<typeof blockOf>[]) {
  const partition = new StreamedPartition();
  partition.enter('b', '42');
  const verdict: StreamVerdict = { inexact: false };
  const hashes = new CopyHashes();
  const left = blocks.map(({ held, pairs }) => {
    const repeated = partition.repeated(
      held,
      pairs.map((p) => p[0]),
      hashes,
      verdict,
    );
    return pairs.filter((_, i) => repeated?.[i] === 1).map((p) => p[0]);
  });
  // Kept copies are all in this one partition: the copy check finds no id in two.
  expect(hashes.maybeTwice()).toBe(false);
  return { left, inexact: verdict.inexact };
}

describe('a partition streamed a block at a time: ids met again in it', () => {
  it('the text of each event, as the block holds it, whatever its ids and events hold', () => {
    const events = hardIds.map((id) => eventOf(id));
    const { held, pairs } = blockOf('k', 1n, events);
    pairs.forEach(([, event], i) => expect(held.eventText(i)).toBe(JSON.stringify(event)));
  });

  it('a replay cut differently: the copies met again are left out, the read stays exact', () => {
    const first = hardIds.slice(0, 7).map((id) => eventOf(id));
    const replay = hardIds.slice(4).map((id) => eventOf(id));
    const { left, inexact } = streamed([blockOf('k1', 1n, first), blockOf('k2', 2n, replay)]);
    expect(left.map((ids) => [...ids].sort())).toEqual([[], hardIds.slice(4, 7).sort()]);
    expect(inexact).toBe(false);
  });

  it('copies that differ: exact when the copy passed on is the newer, inexact when it is the older', () => {
    const older = blockOf('k1', 1n, [eventOf('a', 'old'), eventOf('b')]);
    const newer = blockOf('k2', 2n, [eventOf('a', 'new'), eventOf('c')]);
    expect(streamed([newer, older])).toEqual({ left: [[], ['a']], inexact: false });
    expect(streamed([older, newer])).toEqual({ left: [[], ['a']], inexact: true });
    // Written at once: the greater block key wins, as a de-duplicated read ranks them.
    const tieLow = blockOf('k1', 5n, [eventOf('a', 'low')]);
    const tieHigh = blockOf('k9', 5n, [eventOf('a', 'high')]);
    expect(streamed([tieHigh, tieLow]).inexact).toBe(false);
    expect(streamed([tieLow, tieHigh]).inexact).toBe(true);
  });

  it('a block not in the writer shape (spaces) holding an id met again: inexact, since its texts cannot be compared', () => {
    const shaped = blockOf('k1', 2n, [eventOf('a')]);
    const spaced = {
      held: new HeldBlock('k2', 1n, '[ ["a", {"v": 1}] ]'),
      pairs: [['a', { v: 1 }]] as [string, unknown][],
    };
    expect(streamed([shaped, spaced])).toEqual({ left: [[], ['a']], inexact: true });
  });

  it('a new partition forgets the ids of the one before', () => {
    const partition = new StreamedPartition();
    const verdict: StreamVerdict = { inexact: false };
    const hashes = new CopyHashes();
    const { held, pairs } = blockOf('k', 1n, [eventOf('a')]);
    const ids = pairs.map((p) => p[0]);
    partition.enter('b1', '1');
    expect(partition.repeated(held, ids, hashes, verdict)).toBeUndefined();
    partition.enter('b2', '2');
    expect(partition.repeated(held, ids, hashes, verdict)).toBeUndefined();
    // The same id in two partitions: the copy check's business, not this one's.
    expect(hashes.maybeTwice()).toBe(true);
  });
});

describe('the ids of a partition by their hashes', () => {
  const hashes = (...words: number[]) => new Uint32Array(words);
  it('finds a copy only where its hashes meet and the caller says it is the same id', () => {
    const ids = new PartitionIds();
    const never = () => false;
    const always = () => true;
    expect(ids.firstOrAdd(hashes(7, 8), 0, 0, 0, always)).toBe(-1);
    // The same 64 bits, another id (a meeting of hashes): added beside it.
    expect(ids.firstOrAdd(hashes(7, 8), 0, 1, 3, never)).toBe(-1);
    expect(ids.firstOrAdd(hashes(7, 9), 0, 2, 0, always)).toBe(-1);
    const asked: [number, number][] = [];
    const slot = ids.firstOrAdd(hashes(7, 8), 0, 3, 0, (b, p) => (asked.push([b, p]), b === 1));
    expect(asked).toEqual([
      [0, 0],
      [1, 3],
    ]);
    expect([ids.blockAt(slot), ids.pairAt(slot)]).toEqual([1, 3]);
    expect(ids.size).toBe(3);
  });

  it('grows past its first size, every id still found; cleared for the next partition', () => {
    const ids = new PartitionIds();
    const n = 50_000;
    // Hashes that share their low bits (the slot) in runs, so probes are long and growth moves them.
    for (let i = 0; i < n; i++) expect(ids.firstOrAdd(hashes(i * 64, i), 0, i, i, () => true)).toBe(-1);
    for (let i = 0; i < n; i += 997) {
      const slot = ids.firstOrAdd(hashes(i * 64, i), 0, -1, -1, () => true);
      expect([ids.blockAt(slot), ids.pairAt(slot)]).toEqual([i, i]);
    }
    expect(ids.size).toBe(n);
    ids.clear();
    expect(ids.size).toBe(0);
    expect(ids.firstOrAdd(hashes(0, 0), 0, 9, 9, () => true)).toBe(-1);
  });
});

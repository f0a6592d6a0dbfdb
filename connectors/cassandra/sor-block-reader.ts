import type { Client } from 'cassandra-driver';
import type { UndecodableBlock } from './sor-blocks.ts';
import { ReadBlock as Block } from './sor-read-block.ts';
import {
  eagerRun,
  rowsInOrder,
  tokenOrderQueries,
  type SorPartition,
  type SorRun,
  type SorPosition,
} from './sor-token-queries.ts';

/**
 * How a pass reads the blocks of a partition:
 * - `ids`: the ids only, never an event decoded (the look for ids in two
 *   partitions; a block that is not JSON may give ids here, which only costs
 *   a needless exact tally);
 * - `lazy`: each block's events decoded when its run is taken (repair, the
 *   dry-run), so a reader holds one block's events, not a partition's;
 * - `ordered`: in event id order (a read that resumes after a position);
 * - `exact`: every block decoded before the partition is yielded, bad ones
 *   left out (the exact tally of copies, whose write times must be true).
 */
export type BlockReading = 'ids' | 'lazy' | 'ordered' | 'exact';

/** Above this many blocks in a partition, they are sorted together instead of merged. */
const maxMergedRuns = 16;

const byId = (a: readonly [string, ...unknown[]], b: readonly [string, ...unknown[]]) =>
  a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;

const ascending = (ids: readonly string[]) => ids.every((id, i) => i === 0 || ids[i - 1]! < id);

/**
 * Whether any id comes twice among the blocks (a replay cut differently; or
 * twice in one block, which no writer of idemflow's does): an open-addressing
 * table of the ids' hashes (made when the blocks were read), the strings
 * compared only when hashes meet.
 */
function anyIdTwice(blocks: readonly Block[]): boolean {
  const count = blocks.reduce((n, b) => n + b.count, 0);
  if (count < 2) return false;
  const size = 2 ** Math.ceil(Math.log2(count * 2));
  // A slot names a block (+1: 0 is empty) and an id in it, so no array of the partition's ids is made.
  const inBlock = new Int32Array(size);
  const at = new Int32Array(size);
  for (let b = 0; b < blocks.length; b++) {
    const block = blocks[b]!;
    const hashes = block.hashes;
    for (let i = 0; i < block.count; i++) {
      let slot = hashes[i * 2]! & (size - 1);
      for (let held = inBlock[slot]!; held !== 0; held = inBlock[slot]!) {
        const other = blocks[held - 1]!;
        // The second hash first: ids are made and compared only when all 64 bits meet.
        if (other.hashes[at[slot]! * 2 + 1] === hashes[i * 2 + 1] && other.ids[at[slot]!] === block.ids[i]) return true;
        slot = (slot + 1) & (size - 1);
      }
      inBlock[slot] = b + 1;
      at[slot] = i;
    }
  }
  return false;
}

/** A block as a run whose events are decoded when taken. */
const lazyRun = (b: Block, onBadBlock: (error: UndecodableBlock) => void): SorRun => ({
  written: b.written,
  get ids() {
    return b.ids;
  },
  hashes: b.hashes,
  events: () => b.pairs(onBadBlock)?.map((p) => p[1]),
  decoded() {
    const pairs = b.pairs(onBadBlock);
    return pairs && [pairs.map((p) => p[0]), pairs.map((p) => p[1])];
  },
});

/** Sorted lists of pairs, none sharing an id, merged into one sorted list (two at a time: n log k). */
function mergeSorted(lists: [string, unknown][][]): [string, unknown][] {
  while (lists.length > 1) {
    const next: [string, unknown][][] = [];
    for (let i = 0; i < lists.length; i += 2) {
      const [a, b] = [lists[i]!, lists[i + 1]];
      if (!b) next.push(a);
      else {
        const out: [string, unknown][] = [];
        let [x, y] = [0, 0];
        while (x < a.length && y < b.length) out.push(a[x]![0] < b[y]![0] ? a[x++]! : b[y++]!);
        while (x < a.length) out.push(a[x++]!);
        while (y < b.length) out.push(b[y++]!);
        next.push(out);
      }
    }
    lists = next;
  }
  return lists[0] ?? [];
}

/** Pairs with their write times (ids ascending) as runs: a new run where the write time changes. */
function runsOf(copies: readonly (readonly [string, unknown, bigint])[]): SorRun[] {
  const runs: { written: bigint; ids: string[]; events: unknown[] }[] = [];
  for (const [id, event, written] of copies) {
    const last = runs[runs.length - 1];
    if (last && last.written === written) {
      last.ids.push(id);
      last.events.push(event);
    } else runs.push({ written, ids: [id], events: [event] });
  }
  return runs.map((r) => eagerRun(r.written, r.ids, r.events));
}

/** Decoded blocks, newest first (by write time; ties by block key), each sorted by id. */
function newestFirst(bucket: string, blocks: readonly Block[], onBadBlock: (error: UndecodableBlock) => void) {
  const runs: { written: bigint; block: string; pairs: [string, unknown][]; at: number }[] = [];
  for (const b of blocks) {
    const pairs = b.pairs(onBadBlock);
    if (pairs)
      runs.push({ written: b.written, block: b.block, pairs: ascending(b.ids) ? pairs : [...pairs].sort(byId), at: 0 });
  }
  return runs.sort((a, b) =>
    a.written !== b.written ? (a.written > b.written ? -1 : 1) : a.block > b.block ? -1 : a.block < b.block ? 1 : 0,
  );
}

/**
 * One partition's events where blocks share ids (a replay cut differently),
 * each id once, sorted by id: of its copies, the newest block's (by write
 * time; ties by block key), as the newest row of an id would stand. The
 * blocks are sorted runs, merged (each step takes the least id at the head
 * of a run, from the newest run that has it, and steps every run past it);
 * many small blocks are sorted together instead (stable, newest first).
 */
function deduplicated(
  bucket: string,
  blocks: readonly Block[],
  onBadBlock: (error: UndecodableBlock) => void,
): SorRun[] {
  const runs = newestFirst(bucket, blocks, onBadBlock);
  if (runs.length > maxMergedRuns) {
    const all = runs.flatMap((r) => r.pairs.map(([id, event]) => [id, event, r.written] as const)).sort(byId);
    return runsOf(all.filter((e, i) => i === 0 || all[i - 1]![0] !== e[0]));
  }
  const copies: (readonly [string, unknown, bigint])[] = [];
  for (;;) {
    let least: (typeof runs)[number] | undefined;
    for (const run of runs) {
      const head = run.pairs[run.at];
      if (head && (least === undefined || head[0] < least.pairs[least.at]![0])) least = run;
    }
    if (!least) return runsOf(copies);
    const [eventId, event] = least.pairs[least.at]!;
    copies.push([eventId, event, least.written]);
    for (const run of runs) while (run.at < run.pairs.length && run.pairs[run.at]![0] === eventId) run.at++;
  }
}

/**
 * The runs of a partition whose blocks share no id, in id order: blocks
 * whose id ranges do not overlap stand as they are (decoded when taken);
 * interleaved ones (ids like e1, e10, e2) are decoded and merged into one
 * run, whose write time is the newest of theirs (an ordered read uses none).
 */
function inIdOrder(bucket: string, blocks: readonly Block[], onBadBlock: (error: UndecodableBlock) => void): SorRun[] {
  const sorted = blocks.filter((b) => b.count > 0).sort((a, b) => byId([a.ids[0]!], [b.ids[0]!]));
  const apart = sorted.every((b, i) => i === 0 || sorted[i - 1]!.ids[sorted[i - 1]!.ids.length - 1]! < b.ids[0]!);
  if (apart && sorted.every((b) => ascending(b.ids))) return sorted.map((b) => lazyRun(b, onBadBlock));
  const runs = newestFirst(bucket, sorted, onBadBlock);
  const merged = mergeSorted(runs.map((r) => r.pairs));
  if (runs.length === 0) return [];
  return [
    eagerRun(
      runs[0]!.written,
      merged.map((p) => p[0]),
      merged.map((p) => p[1]),
    ),
  ];
}

function partitionRuns(
  bucket: string,
  blocks: readonly Block[],
  reading: BlockReading,
  onBadBlock: (error: UndecodableBlock) => void,
): readonly SorRun[] {
  if (reading === 'ids')
    return blocks.map((b) => ({
      written: b.written,
      get ids() {
        return b.ids;
      },
      hashes: b.hashes,
      events: () => undefined,
    }));
  if (anyIdTwice(blocks)) return deduplicated(bucket, blocks, onBadBlock);
  if (reading === 'ordered') return inIdOrder(bucket, blocks, onBadBlock);
  if (reading === 'lazy') return blocks.map((b) => lazyRun(b, onBadBlock));
  return newestFirst(bucket, blocks, onBadBlock).map((r) =>
    eagerRun(
      r.written,
      r.pairs.map((p) => p[0]),
      r.pairs.map((p) => p[1]),
    ),
  );
}

/** What every reader of a block table selects (before its WHERE): the token, the partition, and each block with its write time. */
export const blockSelect = (keyspace: string, table: string) =>
  `SELECT token(bucket) AS t, bucket, block, writetime(events) AS written, events FROM ${keyspace}.${table}`;

/**
 * The partitions of a block-layout system of record, each id once within
 * its partition, in token order (then event id, when `ordered`: a resumable
 * read), a partition at a time (bounded by design, so memory is too), its
 * blocks read with paging. After `after`, the rest of its partition (re-read
 * whole, the ids past it kept), then greater tokens.
 */
export async function* blockPartitions(
  client: Client,
  keyspace: string,
  table: string,
  after: SorPosition | undefined,
  reading: BlockReading,
  onBadBlock: (error: UndecodableBlock) => void,
): AsyncGenerator<SorPartition> {
  const queries = tokenOrderQueries(blockSelect(keyspace, table), after, (a) => ['bucket = ?', [a.bucket]]);
  const read = (token: string, bucket: string, blocks: readonly Block[]): SorPartition => {
    const runs = partitionRuns(bucket, blocks, reading, onBadBlock);
    if (!after || bucket !== after.bucket) return { token, bucket, runs };
    return { token, bucket, runs: runs.map((r) => idsAfter(r, after.eventId)).filter((r) => r.ids.length > 0) };
  };
  let partition: { token: string; bucket: string; blocks: Block[] } | undefined;
  for await (const row of rowsInOrder(client, queries, 32)) {
    const bucket = String(row.get('bucket'));
    if (partition && partition.bucket !== bucket) {
      yield read(partition.token, partition.bucket, partition.blocks);
      partition = undefined;
    }
    partition ??= { token: String(row.get('t')), bucket, blocks: [] };
    const block = Block.of(bucket, row, onBadBlock);
    if (block) partition.blocks.push(block);
  }
  if (partition) yield read(partition.token, partition.bucket, partition.blocks);
}

/** The part of an id-ordered run past `eventId`. */
function idsAfter(run: SorRun, eventId: string): SorRun {
  let from = 0;
  while (from < run.ids.length && run.ids[from]! <= eventId) from++;
  if (from === 0) return run;
  return { written: run.written, ids: run.ids.slice(from), events: () => run.events()?.slice(from) };
}

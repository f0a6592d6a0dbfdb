import type { Client, types } from 'cassandra-driver';
import { decodeBlock, UndecodableBlock } from './sor-blocks.ts';
import {
  rowsInOrder,
  tokenOrderQueries,
  type SorPartition,
  type SorRun,
  type SorPosition,
} from './sor-token-queries.ts';

/** One decoded block of a partition: its [id, event] pairs sorted by id, and how far a merge has read them. */
interface Run {
  readonly pairs: readonly [string, unknown][];
  readonly written: bigint;
  readonly block: string;
  at: number;
}

/** Above this many blocks in a partition, they are sorted together instead of merged. */
const maxMergedRuns = 16;

const byId = (a: readonly [string, unknown, ...unknown[]], b: readonly [string, unknown, ...unknown[]]) =>
  a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;

/** The pairs sorted by id: as the writer cut them (checked in one pass), else sorted here. */
function sortedPairs(pairs: [string, unknown][]): [string, unknown][] {
  for (let i = 1; i < pairs.length; i++) if (pairs[i - 1]![0] > pairs[i]![0]) return [...pairs].sort(byId);
  return pairs;
}

/** A partition's blocks as read, in clustering order. */
interface Partition {
  readonly token: string;
  readonly bucket: string;
  readonly rows: types.Row[];
}

/** A partition's decodable blocks, newest first (by write time; ties by block key); bad ones reported. */
function decodedRuns(p: Partition, onBadBlock: (error: UndecodableBlock) => void): Run[] {
  const runs: Run[] = [];
  for (const row of p.rows) {
    const block = String(row.get('block'));
    try {
      const pairs = sortedPairs(decodeBlock(p.bucket, block, row.get('events')));
      runs.push({ pairs, written: BigInt(String(row.get('written'))), block, at: 0 });
    } catch (error) {
      if (!(error instanceof UndecodableBlock)) throw error;
      onBadBlock(error);
    }
  }
  return runs.sort((a, b) =>
    a.written !== b.written ? (a.written > b.written ? -1 : 1) : a.block > b.block ? -1 : a.block < b.block ? 1 : 0,
  );
}

/**
 * One partition's events, each id once, sorted by id: of copies a replay
 * left in several blocks, the newest block's (by write time; ties by block
 * key), as the newest row of an id would stand. The blocks are sorted runs,
 * merged (no map, no sort of the whole partition): each step takes the
 * least id at the head of a run, from the newest run that has it, and steps
 * every run past it. A block that fails to decode is reported and skipped.
 */
/** The runs in order of their first id when no two share an id (no replay overlapped them: the usual case); else undefined. */
function disjointRuns(runs: readonly Run[]): Run[] | undefined {
  const ordered = runs.filter((r) => r.pairs.length > 0).sort((a, b) => byId(a.pairs[0]!, b.pairs[0]!));
  for (let i = 1; i < ordered.length; i++)
    if (ordered[i - 1]!.pairs[ordered[i - 1]!.pairs.length - 1]![0] >= ordered[i]!.pairs[0]![0]) return undefined;
  return ordered;
}

/** Pairs with their write times (ids ascending) as runs: a new run where the write time changes. */
function runsOf(copies: readonly (readonly [string, unknown, bigint])[]): SorRun[] {
  const runs: { written: bigint; pairs: [string, unknown][] }[] = [];
  for (const [id, event, written] of copies) {
    const last = runs[runs.length - 1];
    if (last && last.written === written) last.pairs.push([id, event]);
    else runs.push({ written, pairs: [[id, event]] });
  }
  return runs;
}

/** Whether no id is in two runs: then each run stands as it is (for a reader that needs no order). */
function noSharedIds(runs: readonly Run[]): boolean {
  const seen = new Set<string>();
  for (const run of runs)
    for (const [id] of run.pairs) {
      if (seen.has(id)) return false;
      seen.add(id);
    }
  return true;
}

function partitionRuns(
  p: Partition,
  ordered: boolean,
  onBadBlock: (error: UndecodableBlock) => void,
): readonly SorRun[] {
  const runs = decodedRuns(p, onBadBlock);
  const disjoint = disjointRuns(runs);
  if (disjoint) return disjoint;
  // Ids like e1, e10, e2 make batches overlap by range without sharing an id: a set tells, cheaper than a merge.
  if (!ordered && noSharedIds(runs)) return runs;
  // Many small blocks (small batches): one stable sort beats a merge that looks at every head for every id.
  // Stable, so of equal ids the newest run's comes first, and only the first of each id is kept.
  if (runs.length > maxMergedRuns) {
    const all = runs.flatMap((r) => r.pairs.map(([id, event]) => [id, event, r.written] as const)).sort(byId);
    return runsOf(all.filter((e, i) => i === 0 || all[i - 1]![0] !== e[0]));
  }
  const copies: (readonly [string, unknown, bigint])[] = [];
  for (;;) {
    let least: Run | undefined;
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
 * The partitions of a block-layout system of record, each id once within
 * its partition, in token order then (when `ordered`: a resumable read)
 * event id, a partition at a time
 * (bounded by design, so memory is too; one array a partition, so a reader
 * pays no per-event await here), its blocks read with paging. After
 * `after`, the rest of its partition (re-read whole, the ids past it kept),
 * then greater tokens.
 */
export async function* blockPartitions(
  client: Client,
  keyspace: string,
  table: string,
  after: SorPosition | undefined,
  ordered: boolean,
  onBadBlock: (error: UndecodableBlock) => void,
): AsyncGenerator<SorPartition> {
  const select = `SELECT token(bucket) AS t, bucket, block, writetime(events) AS written, events FROM ${keyspace}.${table}`;
  const queries = tokenOrderQueries(select, after, (a) => ['bucket = ?', [a.bucket]]);
  const read = (partition: Partition): SorPartition => {
    const runs = partitionRuns(partition, ordered, onBadBlock);
    const { token, bucket } = partition;
    if (!after || bucket !== after.bucket) return { token, bucket, runs };
    const rest = runs.map((r) => ({ written: r.written, pairs: r.pairs.filter(([id]) => id > after.eventId) }));
    return { token, bucket, runs: rest.filter((r) => r.pairs.length > 0) };
  };
  let partition: Partition | undefined;
  for await (const row of rowsInOrder(client, queries, 32)) {
    const bucket = String(row.get('bucket'));
    if (partition && partition.bucket !== bucket) {
      yield read(partition);
      partition = undefined;
    }
    partition ??= { token: String(row.get('t')), bucket, rows: [] };
    partition.rows.push(row);
  }
  if (partition) yield read(partition);
}

import type { StateSnapshot } from './aggregation-state.ts';
import type { Row, TableOp } from '../../runtime/sinks/table-op.ts';
import type { RepairJob } from './repair-job.ts';
import { columnValue, rowsToOps } from '../../runtime/sinks/table-ops.ts';
import { partitionOf, SpillFiles } from '../../runtime/spill-files.ts';

/** Partitions a spill starts with, and how many each oversized one is split into. */
const fanout = 16;
/** A partition still too big after this many splits holds one hot row group: it is worked whole. */
const maxDepth = 4;
/** Corrections written to the sink at once. */
const writeChunk = 1_000;

/** A line of a partition: an event's contribution to a row, or the row as the table holds it. */
type Line =
  | ['e', stored: string, key: unknown, windowStart: number | null, event: Record<string, unknown>]
  | ['r', stored: string, columns: Row];

export interface Partitions {
  readonly spill: SpillFiles;
  readonly events: number;
}

/** The row an aggregate of (key, window) is written to, without its value: which sink row an event counts in. */
function rowShell(job: RepairJob, key: unknown, windowStart: number | undefined): Record<string, unknown> {
  return windowStart === undefined
    ? { key, value: undefined }
    : { key, windowStart, windowEnd: windowStart + job.window!.sizeMs, value: undefined };
}

/**
 * Spreads the work over partition files by the sink row it concerns (its
 * primary key as stored): each event once per (key, window) it counts in,
 * and each current row of the sink table. A partition then holds everything
 * about its rows, and nothing else.
 */
export async function groupPartitions(
  job: RepairJob,
  events: AsyncIterable<unknown>,
  rows: AsyncIterable<{ readonly key: readonly unknown[]; readonly columns: Row }>,
  storedKey: (key: readonly unknown[]) => readonly unknown[],
  report: (events: number, batch: number) => void,
): Promise<Partitions> {
  const spill = new SpillFiles(fanout, 'repair');
  const sink = job.pipeline.sink;
  const add = (stored: string, line: Line) => spill.add(partitionOf(stored, 0, fanout), JSON.stringify(line));
  let count = 0;
  try {
    for await (const event of events) {
      for (const g of await job.groups(event)) {
        const planned = sink.key.map((c) => columnValue(c, rowShell(job, g.key, g.windowStart)));
        const stored = JSON.stringify(storedKey(planned));
        add(stored, ['e', stored, g.key, g.windowStart ?? null, g.event]);
      }
      if (++count % 10_000 === 0) report(count, 0);
    }
    for await (const row of rows) {
      const stored = JSON.stringify(row.key);
      add(stored, ['r', stored, row.columns]);
    }
  } catch (error) {
    spill.remove();
    throw error;
  }
  report(count, 0);
  return { spill, events: count };
}

export interface PartitionOutcome {
  readonly checked: number;
  readonly corrected: number;
  /** The recomputed aggregates a checkpoint's state holds (`keepState` said so). */
  readonly stateEntries: StateSnapshot['entries'];
}

export interface WorkOptions {
  readonly pageRows: number;
  /** Which (key, window) the stream's checkpoint still holds; undefined without a checkpoint. */
  readonly keepState?: (windowStart: number | undefined) => boolean;
  readonly write: (ops: readonly TableOp[]) => Promise<void>;
}

interface Group {
  readonly key: unknown;
  readonly windowStart: number | undefined;
  readonly stored: string;
  acc: unknown;
}

/** Works the partitions one at a time; one with more than `pageRows` groups or rows is split again, with another hash. */
export async function workPartitions(
  job: RepairJob,
  partitions: Partitions,
  options: WorkOptions,
): Promise<PartitionOutcome> {
  const total = { checked: 0, corrected: 0, stateEntries: [] as [unknown, number | null, unknown][] };
  const work = async (spill: SpillFiles, part: number, depth: number): Promise<void> => {
    const loaded = await loadPartition(job, spill, part, depth < maxDepth ? options.pageRows : Infinity);
    if (!loaded) {
      const sub = new SpillFiles(fanout, 'repair-split', spill.dir);
      for await (const line of spill.lines(part))
        sub.add(partitionOf((JSON.parse(line) as Line)[1], depth + 1, fanout), line);
      spill.drop(part);
      for (let p = 0; p < fanout; p++) await work(sub, p, depth + 1);
      sub.remove();
      return;
    }
    spill.drop(part);
    await correct(job, loaded, options, total);
  };
  for (let part = 0; part < partitions.spill.fanout; part++) await work(partitions.spill, part, 0);
  return total;
}

/** A partition's groups (aggregated) and current rows; undefined when either exceeds the limit. */
async function loadPartition(
  job: RepairJob,
  spill: SpillFiles,
  part: number,
  limit: number,
): Promise<{ groups: Map<string, Group>; rows: Map<string, Record<string, unknown>> } | undefined> {
  const groups = new Map<string, Group>();
  const rows = new Map<string, Record<string, unknown>>();
  const agg = job.aggregator;
  for await (const text of spill.lines(part)) {
    const line = JSON.parse(text) as Line;
    if (line[0] === 'r') {
      rows.set(line[1], { ...rows.get(line[1]), ...line[2] });
      if (rows.size > limit) return undefined;
      continue;
    }
    const [, stored, key, start, event] = line;
    const id = JSON.stringify([key, start]);
    let group = groups.get(id);
    if (!group) {
      groups.set(id, (group = { key, windowStart: start ?? undefined, stored, acc: agg.init() }));
      if (groups.size > limit) return undefined;
    }
    group.acc = agg.add(group.acc, event);
  }
  return { groups, rows };
}

async function correct(
  job: RepairJob,
  loaded: { groups: Map<string, Group>; rows: Map<string, Record<string, unknown>> },
  options: WorkOptions,
  total: { checked: number; corrected: number; stateEntries: [unknown, number | null, unknown][] },
): Promise<void> {
  let pending: TableOp[] = [];
  for (const g of loaded.groups.values()) {
    total.checked++;
    if (options.keepState?.(g.windowStart)) total.stateEntries.push([g.key, g.windowStart ?? null, g.acc]);
    const [op] = rowsToOps(job.pipeline.sink, [
      { ...rowShell(job, g.key, g.windowStart), value: job.aggregator.result(g.acc) },
    ]);
    if (op?.op !== 'upsert') continue;
    const before = loaded.rows.get(g.stored);
    if (before && Object.entries(op.v).every(([c, v]) => JSON.stringify(before[c]) === JSON.stringify(v))) continue;
    total.corrected++;
    pending.push(op);
    if (pending.length >= writeChunk) {
      await options.write(pending);
      pending = [];
    }
  }
  if (pending.length > 0) await options.write(pending);
}

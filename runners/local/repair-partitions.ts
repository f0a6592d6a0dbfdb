import type { StateSnapshot } from './aggregation-state.ts';
import type { Row, TableOp } from '../../runtime/sinks/table-op.ts';
import type { RepairJob } from './repair-job.ts';
import type { StoredRow } from '../../runtime/repair-target.ts';
import { columnValue, rowsToOps } from '../../runtime/sinks/table-ops.ts';
import { partitionOf, SpillFiles } from '../../runtime/spill-files.ts';
import { decodeAccumulator, encodeAccumulator } from './spilled-accumulator.ts';

/** Partitions a spill starts with, and how many each oversized one is split into. */
const fanout = 16;
/** A partition still too big after this many splits holds one hot row group: it is worked whole. */
const maxDepth = 4;
/** Corrections written to the sink at once. */
const writeChunk = 1_000;

/** A (key, window) being recomputed: its aggregate so far, the sink row it is written to, and that row as stored. */
interface Group {
  readonly key: unknown;
  readonly windowStart: number | undefined;
  readonly stored: string;
  acc: unknown;
  before?: Row;
}

/**
 * A line of a spill partition: part of a group's aggregate (the groups held
 * in memory when they passed the bound), or a sink row as the table holds it.
 */
type Line =
  | ['a', stored: string, id: string, key: unknown, windowStart: number | null, acc: unknown]
  | ['r', stored: string, columns: Row];

/** The row an aggregate of (key, window) is written to, without its value: which sink row an event counts in. */
function rowShell(job: RepairJob, key: unknown, windowStart: number | undefined): Record<string, unknown> {
  return windowStart === undefined
    ? { key, value: undefined }
    : { key, windowStart, windowEnd: windowStart + job.window!.sizeMs, value: undefined };
}

/** A group's name in a spill line, where its parts are merged. */
const groupId = (key: unknown, windowStart: number | undefined) => {
  const text = typeof key === 'string' ? `s${key}` : String(JSON.stringify(key));
  return windowStart === undefined ? text : `${windowStart}:${text}`;
};

/** One window's groups: primitive keys as they are, other keys by their JSON. */
interface Groups {
  readonly plain: Map<unknown, Group>;
  readonly json: Map<string, Group>;
}

/**
 * The aggregates of every (key, window) the archived events count in. Held
 * in memory up to `pageRows` groups; past that, every group held is written
 * out (its partial aggregate, merged later) to partition files by the sink
 * row it concerns, so memory stays bounded whatever the archive's size.
 */
export class Recomputed {
  /** Groups by window, then by key: primitives as Map keys, other keys by their JSON (no string made per event). */
  readonly #windows = new Map<number | undefined, Groups>();
  #last: Groups | undefined;
  #lastStart: number | undefined;
  #size = 0;
  spill: SpillFiles | undefined;
  events = 0;
  /** The most groups held in memory at once. */
  peak = 0;

  constructor(
    readonly job: RepairJob,
    readonly storedKey: (key: readonly unknown[]) => readonly unknown[],
    readonly pageRows: number,
  ) {}

  add(key: unknown, windowStart: number | undefined, event: Record<string, unknown>): void {
    // Events read together mostly share a window: the last one found is tried first.
    let window = this.#last;
    if (!window || this.#lastStart !== windowStart) {
      window = this.#windows.get(windowStart);
      if (!window) this.#windows.set(windowStart, (window = { plain: new Map(), json: new Map() }));
      this.#last = window;
      this.#lastStart = windowStart;
    }
    const plain = key === null || typeof key !== 'object';
    const groups: Map<unknown, Group> = plain ? window.plain : window.json;
    const name = plain ? key : JSON.stringify(key);
    let group = groups.get(name);
    if (!group) {
      if (this.#size >= this.pageRows) {
        this.#spillGroups();
        return this.add(key, windowStart, event);
      }
      const planned = this.job.pipeline.sink.key.map((c) => columnValue(c, rowShell(this.job, key, windowStart)));
      const stored = JSON.stringify(this.storedKey(planned));
      groups.set(name, (group = { key, windowStart, stored, acc: this.job.aggregator.init() }));
      if (++this.#size > this.peak) this.peak = this.#size;
    }
    group.acc = this.job.aggregator.add(group.acc, event);
  }

  /** The groups held in memory. */
  *held(): Generator<Group> {
    for (const { plain, json } of this.#windows.values()) {
      yield* plain.values();
      yield* json.values();
    }
  }

  #spillGroups(): void {
    this.spill ??= new SpillFiles(fanout, 'repair');
    for (const g of this.held()) {
      const id = groupId(g.key, g.windowStart);
      const line: Line = ['a', g.stored, id, g.key, g.windowStart ?? null, encodeAccumulator(g.acc)];
      this.spill.add(partitionOf(g.stored, 0, fanout), JSON.stringify(line));
    }
    this.#windows.clear();
    this.#last = undefined;
    this.#size = 0;
  }

  /** Once every event is in: with a spill, the groups still held go to it too, then the sink rows (a page at a time). */
  async finish(pages: AsyncIterable<readonly StoredRow[]>): Promise<void> {
    if (this.spill) {
      this.#spillGroups();
      for await (const page of pages)
        for (const row of page) {
          const stored = JSON.stringify(row.key);
          this.spill.add(partitionOf(stored, 0, fanout), JSON.stringify(['r', stored, row.columns] satisfies Line));
        }
      return;
    }
    // Everything fits: each sink row is matched to its groups as it streams by, and only those are kept.
    const byStored = new Map<string, Group[]>();
    for (const g of this.held()) {
      const same = byStored.get(g.stored);
      if (same) same.push(g);
      else byStored.set(g.stored, [g]);
    }
    for await (const page of pages)
      for (const row of page)
        for (const g of byStored.get(JSON.stringify(row.key)) ?? [])
          g.before = g.before ? { ...g.before, ...row.columns } : row.columns;
  }

  remove(): void {
    this.spill?.remove();
  }
}

/** Reads archived events into `into`: each through the pipeline's steps, into every (key, window) it counts in. */
export async function aggregateEvents(
  into: Recomputed,
  events: AsyncIterable<readonly unknown[]>,
  report: (events: number) => void,
): Promise<void> {
  const { job } = into;
  const add = (key: unknown, windowStart: number | undefined, event: Record<string, unknown>) =>
    into.add(key, windowStart, event);
  let next = 10_000;
  for await (const run of events) {
    const pending = job.visitRun(run, add);
    if (pending) await pending;
    into.events += run.length;
    if (into.events >= next) {
      report(into.events);
      next = into.events + 10_000;
    }
  }
  report(into.events);
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

type Total = { checked: number; corrected: number; stateEntries: [unknown, number | null, unknown][] };

/**
 * Compares every recomputed aggregate with its sink row and writes those that
 * differ: at once when they fit in memory, else a spill partition at a time
 * (one with more than `pageRows` groups or rows is split again, with another hash).
 */
export async function workPartitions(recomputed: Recomputed, options: WorkOptions): Promise<PartitionOutcome> {
  const { job } = recomputed;
  const total: Total = { checked: 0, corrected: 0, stateEntries: [] };
  if (!recomputed.spill) {
    await correct(job, recomputed.held(), options, total);
    return total;
  }
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
    await correct(job, loaded.values(), options, total);
  };
  for (let part = 0; part < recomputed.spill.fanout; part++) await work(recomputed.spill, part, 0);
  return total;
}

/** A partition's groups (their parts merged), each with its sink row; undefined when either exceeds the limit. */
async function loadPartition(
  job: RepairJob,
  spill: SpillFiles,
  part: number,
  limit: number,
): Promise<Map<string, Group> | undefined> {
  const groups = new Map<string, Group>();
  const rows = new Map<string, Row>();
  const agg = job.aggregator;
  for await (const text of spill.lines(part)) {
    const line = JSON.parse(text) as Line;
    if (line[0] === 'r') {
      rows.set(line[1], { ...rows.get(line[1]), ...line[2] });
      if (rows.size > limit) return undefined;
      continue;
    }
    const [, stored, id, key, start, encoded] = line;
    const acc = decodeAccumulator(encoded);
    const group = groups.get(id);
    if (group) group.acc = agg.merge(group.acc, acc);
    else {
      groups.set(id, { key, windowStart: start ?? undefined, stored, acc });
      if (groups.size > limit) return undefined;
    }
  }
  for (const g of groups.values()) g.before = rows.get(g.stored);
  return groups;
}

const json = (v: unknown) => JSON.stringify(v);

/**
 * Relative difference under which two results that are not both integers are the same: a sum or an
 * average of doubles added in another order (repair reads the archive in its order, the stream added
 * in arrival order) differs in its last bits, and "correcting" it would flip back and forth with every
 * run. n additions move a sum by at most about n·2⁻⁵³ of it; 10⁻⁹ covers 10⁷ of them, and far below
 * any event's share of a real aggregate.
 */
const roundingTolerance = 1e-9;

/** Whether a stored value and repair's are the same result. */
function sameResult(stored: unknown, recomputed: unknown): boolean {
  if (Object.is(stored, recomputed) || stored === recomputed) return true;
  if (typeof stored === 'number' && typeof recomputed === 'number') {
    if (Number.isInteger(stored) && Number.isInteger(recomputed)) return false;
    return Math.abs(stored - recomputed) <= roundingTolerance * Math.max(Math.abs(stored), Math.abs(recomputed));
  }
  return json(stored) === json(recomputed);
}

async function correct(job: RepairJob, groups: Iterable<Group>, options: WorkOptions, total: Total): Promise<void> {
  let pending: TableOp[] = [];
  for (const g of groups) {
    total.checked++;
    if (options.keepState?.(g.windowStart)) total.stateEntries.push([g.key, g.windowStart ?? null, g.acc]);
    const [op] = rowsToOps(job.pipeline.sink, [
      { ...rowShell(job, g.key, g.windowStart), value: job.aggregator.result(g.acc) },
    ]);
    if (op?.op !== 'upsert') continue;
    const before = g.before;
    const same = before && Object.entries(op.v).every(([c, v]) => sameResult(before[c], v));
    if (same) continue;
    total.corrected++;
    pending.push(op);
    if (pending.length >= writeChunk) {
      await options.write(pending);
      pending = [];
    }
  }
  if (pending.length > 0) await options.write(pending);
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PipelineNode } from '../../compiler/ir/index.ts';
import type { EmbeddedStore } from '../../connectors/embedded/store.ts';
import { repair, runWithRestarts, type RepairTarget } from '../../runners/local/index.ts';
import { RunnerError } from '../../runtime/runner-error.ts';
import type { LocalRunOptions, LocalRunResult } from '../../runners/local/engine.ts';
import { noFaults, type FaultSpec } from '../../runtime/faults.ts';
import type { SensorEvent } from '../../dsl/index.ts';
import { campaignEvents, campaignPipeline, minute, truthOf, type Placement } from './pipelines.ts';
import { compactionOf, type Schedule } from './schedule.ts';
import { runUntilKilled } from './kill.ts';

/** Where a schedule runs: the embedded store, or the real Kafka and Cassandra. */
export interface CampaignTarget {
  /** Puts the events where the schedule's input reads them (a file, a topic); says where the pipeline writes. */
  place(s: Schedule, events: readonly SensorEvent[]): Promise<Placement>;
  readonly storeDir: string;
  readonly checkpointDir: string;
  /** Makes the pipeline's tables (empty) before the schedule runs. */
  prepare?(pipeline: PipelineNode): Promise<void>;
  /** Whether the input holds records past the stream's checkpoint (a Kafka topic's end); undefined: the input ends by itself. */
  unread?(pipelineName: string): Promise<boolean>;
  /** Removes what the schedule made (a topic). */
  cleanUp?(): Promise<void>;
  /** For a run in a child process (a real SIGKILL): where it reaches Cassandra. */
  readonly cassandraContactPoint?: string;
  /** Options the runner needs for this target (a Cassandra session). */
  readonly runOptions: Partial<LocalRunOptions>;
  /** The sink table's count by row, keyed as `truthOf` keys it. */
  rows(pipeline: PipelineNode, store: EmbeddedStore): Promise<Map<string, number>>;
  /** Every event id the system of record holds as repair reads it: a copy repair would count twice shows twice. */
  archivedIds(pipeline: PipelineNode, store: EmbeddedStore): Promise<string[]>;
  repairTarget(pipeline: PipelineNode, store: EmbeddedStore): RepairTarget;
}

/** Where a process died: inside a batch's writes, between a checkpoint and what follows it, mid-WAL-append, or a SIGKILL. */
export type CrashPoint = 'mid-batch' | 'after-checkpoint' | 'mid-append' | 'SIGKILL';

export interface ScheduleOutcome {
  readonly violations: readonly string[];
  /** Crash points that struck, by run. */
  readonly crashes: number;
  /** The same crashes by where they struck. */
  readonly points: Readonly<Partial<Record<CrashPoint, number>>>;
  readonly lostAcks: number;
  readonly late: number;
  /** Runs that stopped idle with records unread, and went on (a slow Kafka rejoin on a loaded machine). */
  readonly idleStops: number;
  /** Mid-stream repairs refused because the system of record held events past the checkpoint (then the stream resumes unrepaired). */
  readonly refusedRepairs: number;
}

const debug = process.env.IDEMFLOW_CAMPAIGN_DEBUG ? (line: string) => process.stderr.write(`  | ${line}\n`) : () => {};
const quiet = { log: debug, sleep: async () => {} };

/** Rows that differ from the expected counts, described (at most five). */
function differences(what: string, expected: Map<string, number>, actual: Map<string, number>): string[] {
  const out: string[] = [];
  for (const id of new Set([...expected.keys(), ...actual.keys()])) {
    if (expected.get(id) !== actual.get(id))
      out.push(`${id}: expected ${expected.get(id) ?? 'no row'}, found ${actual.get(id) ?? 'no row'}`);
  }
  return out.length === 0 ? [] : [`${what}: ${out.length} rows differ (${out.slice(0, 5).join('; ')})`];
}

/** Every produced event in the system of record, exactly once by id. */
function archiveViolations(what: string, expectedIds: readonly string[], archived: readonly string[]): string[] {
  const seen = new Map<string, number>();
  for (const id of archived) seen.set(id, (seen.get(id) ?? 0) + 1);
  const missing = expectedIds.filter((id) => !seen.has(id));
  const twice = [...seen].filter(([, n]) => n > 1).map(([id]) => id);
  const out: string[] = [];
  if (missing.length > 0)
    out.push(`${what}: ${missing.length} events missing from the system of record (${missing.slice(0, 5).join(', ')})`);
  if (twice.length > 0)
    out.push(`${what}: ${twice.length} events archived more than once (${twice.slice(0, 5).join(', ')})`);
  return out;
}

async function runStream(
  pipeline: PipelineNode,
  target: CampaignTarget,
  s: Schedule,
  faults: FaultSpec,
  extra: Partial<LocalRunOptions>,
) {
  const once = () =>
    runWithRestarts(pipeline, {
      ...quiet,
      ...target.runOptions,
      ...extra,
      storeDir: target.storeDir,
      checkpointDir: target.checkpointDir,
      batchSize: s.batchSize,
      faults,
      seed: s.seed,
      untilIdleMs: 1_500,
      batchIntervalMs: 100,
      compaction: compactionOf(s),
      ...(s.state === 'disk' ? { state: { kind: 'disk' as const } } : {}),
    });
  let run = await once();
  const crashes = [...run.crashes];
  let idleStops = 0;
  // A stream does not stop; the campaign's runs stop after 1.5 s of silence. On a loaded machine a Kafka run can
  // fall silent that long with records still unread (a slow rejoin): the stream goes on, as a running one would.
  while (run.result.stopped === 'idle' && idleStops < 5 && (await target.unread?.(pipeline.name))) {
    idleStops++;
    debug(`run stopped idle with records unread: going on`);
    const before = run.result;
    run = await once();
    crashes.push(...run.crashes);
    run = {
      ...run,
      crashes,
      result: {
        ...run.result,
        late: run.result.late + before.late,
        deadLetters: run.result.deadLetters + before.deadLetters,
        injected: { ...run.result.injected, lostAck: run.result.injected.lostAck + before.injected.lostAck },
      },
    };
  }
  debug(
    `run: ${JSON.stringify({ ...run.result, memory: undefined, plan: undefined })} crashes ${run.crashes.join(',')}`,
  );
  return { ...run, idleStops };
}

/**
 * The rows a stream must have written by its stop. An unbounded input (Kafka)
 * stops when idle, not at an end: with `emit: 'final'` a window the watermark
 * has not passed stays open and unwritten (or as a repair left it) — by
 * design, it is written when later events close it.
 */
function closedRows(s: Schedule, events: readonly SensorEvent[]): (rows: Map<string, number>) => Map<string, number> {
  if (s.shape.input !== 'kafka' || s.shape.emit !== 'final' || s.shape.window === 'none') return (rows) => rows;
  // The watermark follows the slower of the two partitions: a minute of margin below the newest event.
  const watermark = Math.max(...events.map((e) => e.ts)) - minute;
  const size = s.shape.window === 'sliding' ? 2 * minute : minute;
  return (rows) => new Map([...rows].filter(([id]) => (JSON.parse(id) as [string, number])[1] + size <= watermark));
}

/** A repair with the stream's checkpoint; false when it refuses because the archive reaches past the checkpoint, as it must. */
async function midStreamRepair(pipeline: PipelineNode, target: CampaignTarget, store: EmbeddedStore): Promise<boolean> {
  try {
    await repair(pipeline, { target: target.repairTarget(pipeline, store), checkpointDir: target.checkpointDir });
    return true;
  } catch (error) {
    if (
      error instanceof RunnerError &&
      /holds events past its checkpoint|stopped in the middle of a batch/.test(error.message)
    )
      return false;
    throw error;
  }
}

/** Where each in-process crash struck: batch 0 is the receiver's mid-append crash; crash-after-checkpoint's batches are apart from crash-at's. */
function tallyPoints(points: Partial<Record<CrashPoint, number>>, crashes: readonly number[], faults: FaultSpec): void {
  for (const batch of crashes) {
    const point: CrashPoint =
      batch === 0 ? 'mid-append' : faults.crashAfterCheckpoint?.includes(batch) ? 'after-checkpoint' : 'mid-batch';
    points[point] = (points[point] ?? 0) + 1;
  }
}

/** How the child died at an injected point: its last recorded crash names it. */
function childPoint(checkpointDir: string): CrashPoint {
  const crashes = JSON.parse(readFileSync(join(checkpointDir, 'crashes.json'), 'utf8')) as (number | string)[];
  return typeof crashes.at(-1) === 'string' ? 'mid-append' : 'after-checkpoint';
}

const damages = (f: FaultSpec) => f.loss > 0 || f.duplicate > 0;
const cleanRun = (r: LocalRunResult) => r.late === 0 && r.deadLetters === 0;

/**
 * Runs one schedule and checks the campaign's invariants against a truth
 * counted by hand from the produced events:
 * - every produced event is in the system of record exactly once, by id;
 * - a run that lost and duplicated nothing ends equal to the truth without repair;
 * - a repair makes every row equal to the truth of the events archived so far,
 *   and a stream resumed after it (losing nothing) ends equal to the truth:
 *   it never undoes the repair;
 * - after the final repair, every row equals the truth.
 */
export async function runSchedule(s: Schedule, target: CampaignTarget): Promise<ScheduleOutcome> {
  const events = campaignEvents(s);
  const place = await target.place(s, events);
  const pipeline = campaignPipeline(s, place);
  const truth = truthOf(s.shape.window, events);
  await target.prepare?.(pipeline);
  try {
    return await checkedRuns(s, target, place, pipeline, events, truth);
  } finally {
    await target.cleanUp?.();
  }
}

/** What the runs of a schedule counted, run by run. */
interface Counts {
  crashes: number;
  lostAcks: number;
  late: number;
  idleStops: number;
  refusedRepairs: number;
  readonly points: Partial<Record<CrashPoint, number>>;
}

type StreamRun = Awaited<ReturnType<typeof runStream>>;

function countRun(counts: Counts, run: StreamRun, faults: FaultSpec): void {
  counts.crashes += run.crashes.length;
  counts.idleStops += run.idleStops;
  tallyPoints(counts.points, run.crashes, faults);
  counts.lostAcks += run.result.injected.lostAck;
  counts.late += run.result.late;
}

/** What one schedule's runs share. */
interface ScheduleRun {
  readonly s: Schedule;
  readonly target: CampaignTarget;
  readonly pipeline: PipelineNode;
  readonly events: readonly SensorEvent[];
  readonly counts: Counts;
  readonly violations: string[];
}

async function checkedRuns(
  s: Schedule,
  target: CampaignTarget,
  place: Placement,
  pipeline: PipelineNode,
  events: readonly SensorEvent[],
  truth: Map<string, number>,
): Promise<ScheduleOutcome> {
  const counts: Counts = { crashes: 0, lostAcks: 0, late: 0, idleStops: 0, refusedRepairs: 0, points: {} };
  const run: ScheduleRun = { s, target, pipeline, events, counts, violations: [] };
  const { violations } = run;
  if (s.kill) await killedChild(run, place, s.kill);
  const first = await runStream(
    pipeline,
    target,
    s,
    s.faults,
    s.repairAfter === undefined ? {} : { maxRecords: s.repairAfter },
  );
  countRun(counts, first, s.faults);
  let store = first.store;
  let undamaged = !damages(s.faults) && cleanRun(first.result);
  if (s.repairAfter !== undefined && first.result.stopped === 'max-records') {
    const resumed = await repairMidStreamAndResume(run, first);
    store = resumed.store;
    undamaged = resumed.undamaged;
  }
  if (undamaged) {
    const closed = closedRows(s, events);
    violations.push(
      ...differences(
        'before the final repair (nothing lost or duplicated)',
        closed(truth),
        closed(await target.rows(pipeline, store)),
      ),
    );
  }
  const ids = events.map((e) => e.eventId);
  violations.push(...archiveViolations('system of record', ids, await target.archivedIds(pipeline, store)));
  await repair(pipeline, { target: target.repairTarget(pipeline, store) });
  violations.push(...differences('after the final repair', truth, await target.rows(pipeline, store)));
  const { crashes, points, lostAcks, late, refusedRepairs, idleStops } = counts;
  return { violations, crashes, points, lostAcks, late, refusedRepairs, idleStops };
}

/** A child runner killed at its schedule's point (SIGKILL, or an injected crash point that exits the process). */
async function killedChild(run: ScheduleRun, place: Placement, kill: NonNullable<Schedule['kill']>): Promise<void> {
  const { s, target, counts } = run;
  const config = {
    schedule: s,
    place,
    storeDir: target.storeDir,
    checkpointDir: target.checkpointDir,
    cassandraContactPoint: target.cassandraContactPoint,
    maxRecords: s.repairAfter,
  };
  const death = await runUntilKilled(config, kill);
  if (!death) return;
  counts.crashes++;
  const point = death === 'signal' ? 'SIGKILL' : childPoint(target.checkpointDir);
  counts.points[point] = (counts.points[point] ?? 0) + 1;
}

/**
 * The repair between two stream runs, checked against the truth of the events archived so far, then the stream
 * resumed under its own write faults and crashes. Undamaged when the resumed stream lost nothing and the rows
 * were exact before it (repaired, or never damaged).
 */
async function repairMidStreamAndResume(
  run: ScheduleRun,
  first: StreamRun,
): Promise<{ store: EmbeddedStore; undamaged: boolean }> {
  const { s, target, pipeline, events, counts, violations } = run;
  const repaired = await midStreamRepair(pipeline, target, first.store);
  if (repaired) {
    const archived = new Set(await target.archivedIds(pipeline, first.store));
    violations.push(
      ...differences(
        'after the mid-stream repair',
        truthOf(
          s.shape.window,
          events.filter((e) => archived.has(e.eventId)),
        ),
        await target.rows(pipeline, first.store),
      ),
    );
  } else counts.refusedRepairs++;
  const resumeFaults: FaultSpec = {
    ...noFaults,
    writeFail: s.resumeWriteFaults,
    lostAck: s.resumeWriteFaults,
    crashAt: s.resumeCrashes.map((n) => first.result.batches + n),
  };
  const second = await runStream(pipeline, target, { ...s, seed: s.seed + 1 }, resumeFaults, {});
  countRun(counts, second, resumeFaults);
  // The repair made every row exact; a resumed stream that loses nothing must keep it so.
  return { store: second.store, undamaged: cleanRun(second.result) && (repaired || !damages(s.faults)) };
}

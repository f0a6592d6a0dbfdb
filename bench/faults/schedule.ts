import fc from 'fast-check';
import type { FaultSpec } from '../../runtime/faults.ts';
import type { KillPoint } from './kill.ts';

/** The recommended pipelines the campaign drives: every shape the issue names. */
export type WindowShape = 'tumbling' | 'sliding' | 'none';
export type Emit = 'updates' | 'final';
/** Where the events come from; the same events whatever the input. `socket`: a sender into a receiver with a WAL. */
export type InputKind = 'file' | 'generator' | 'kafka' | 'socket';

export interface PipelineShape {
  readonly input: InputKind;
  readonly window: WindowShape;
  readonly emit: Emit;
  /** `.withEventTime()` written before `.archive()` instead of after it. */
  readonly eventTimeFirst: boolean;
}

/**
 * One schedule of the campaign: a pipeline shape, an input, and the faults
 * that strike it. A schedule is data, so a failure prints it whole and
 * fast-check can shrink it.
 */
export interface Schedule {
  readonly shape: PipelineShape;
  readonly seed: number;
  readonly events: number;
  readonly batchSize: number;
  /** Faults of the first run (crash batches are the run's own batch numbers). */
  readonly faults: FaultSpec;
  /**
   * Stop the stream after this many records (rounded up to a batch), repair
   * from the system of record, then resume the stream: the stream must not
   * undo the repair. Undefined: one run to the end, then the final repair.
   */
  readonly repairAfter?: number;
  /** Crashes of the resumed run, counted in batches after the repair. */
  readonly resumeCrashes: readonly number[];
  /** Lost acknowledgements and failed writes of the resumed run (it loses and duplicates nothing). */
  readonly resumeWriteFaults: number;
  /** A real SIGKILL of the first run, in a child process, before the in-process runs go on from its disk. */
  readonly kill?: KillPoint;
  /** Checkpoints compact their deltas into a snapshot every this many (default 1,000: never, at the campaign's sizes). */
  readonly compactAfterDeltas?: number;
  /** `disk`: keyed state in an LMDB store that is the checkpoint (`--state disk`) instead of memory and a delta log. */
  readonly state?: 'disk';
}

/** Probabilities from a short list: schedules stay readable when printed, and shrink towards no fault. */
const probability = (max: number) => fc.constantFrom(0, 0.01, 0.05, 0.1, 0.2, 0.3).filter((p) => p <= max);

/** Sizes on, just below and just above a batch boundary, and sizes of several batches. */
const sizing = fc.integer({ min: 20, max: 120 }).chain((batchSize) =>
  fc.record({
    batchSize: fc.constant(batchSize),
    events: fc.oneof(
      fc.integer({ min: 2, max: 8 }).map((n) => n * batchSize),
      fc.integer({ min: 2, max: 8 }).map((n) => n * batchSize + 1),
      fc.integer({ min: 2, max: 8 }).map((n) => n * batchSize - 1),
      fc.integer({ min: 1, max: 8 * batchSize }),
    ),
  }),
);

/**
 * Where keyed state lives and how its checkpoint is laid out: one schedule in three on disk (`--state disk`, the
 * same faults over the other layout); the others in memory, compacting every 1, 2, 3 or 7 deltas, or never.
 */
const stateLayout = fc
  .record({ compactAfterDeltas: fc.constantFrom(undefined, 1, 2, 3, 7), onDisk: fc.constantFrom(false, false, true) })
  .map(({ compactAfterDeltas, onDisk }): Pick<Schedule, 'state' | 'compactAfterDeltas'> =>
    onDisk ? { state: 'disk' } : compactAfterDeltas !== undefined ? { compactAfterDeltas } : {},
  );

/** `kills`: whether schedules may SIGKILL a child process (slower: a process start each). */
export function scheduleArbitrary(inputs: readonly InputKind[], kills = false): fc.Arbitrary<Schedule> {
  const shape = fc
    .record({
      input: fc.constantFrom(...inputs),
      window: fc.constantFrom<WindowShape>('tumbling', 'sliding', 'none'),
      emit: fc.constantFrom<Emit>('updates', 'final'),
      eventTimeFirst: fc.boolean(),
    })
    .map((s) => (s.window === 'none' ? { ...s, emit: 'updates' as const } : s));
  return fc
    .record({
      shape,
      seed: fc.nat(1_000_000),
      sizing,
      writeFail: probability(0.2),
      lostAck: probability(0.2),
      duplicate: probability(0.1),
      loss: probability(0.1),
      crashAt: fc.uniqueArray(fc.integer({ min: 1, max: 9 }), { maxLength: 3 }),
      // Between a checkpoint and what follows it: Kafka's offset commit, the WAL's truncation.
      crashAfterCheckpoint: fc.uniqueArray(fc.integer({ min: 1, max: 9 }), { maxLength: 2 }),
      // In the middle of the receiver's n-th WAL append of a run (socket input only).
      crashMidAppend: fc.uniqueArray(fc.integer({ min: 1, max: 8 }), { maxLength: 2 }),
      repairAt: fc.option(
        fc.integer({ min: 1, max: 9 }).map((tenths) => tenths / 10),
        { nil: undefined, freq: 2 },
      ),
      resumeCrashes: fc.uniqueArray(fc.integer({ min: 1, max: 5 }), { maxLength: 2 }),
      resumeWriteFaults: probability(0.2),
      layout: stateLayout,
      kill: kills
        ? fc.option(
            fc.record({ afterBatch: fc.integer({ min: 1, max: 8 }), delayMs: fc.constantFrom(0, 0, 1, 5, 20, 60) }),
            { nil: undefined, freq: 2 },
          )
        : fc.constant(undefined),
    })
    .map((r) => ({
      shape: r.shape,
      seed: r.seed,
      events: r.sizing.events,
      batchSize: r.sizing.batchSize,
      faults: {
        writeFail: r.writeFail,
        lostAck: r.lostAck,
        duplicate: r.duplicate,
        loss: r.loss,
        crashAt: r.crashAt,
        // Apart from crash-at's batches, so that the report can tell which point struck.
        ...crashPoints(
          'crashAfterCheckpoint',
          r.crashAfterCheckpoint.filter((b) => !r.crashAt.includes(b)),
        ),
        ...crashPoints('crashMidAppend', r.shape.input === 'socket' ? r.crashMidAppend : []),
      },
      repairAfter: r.repairAt === undefined ? undefined : Math.max(1, Math.floor(r.repairAt * r.sizing.events)),
      resumeCrashes: r.resumeCrashes,
      resumeWriteFaults: r.resumeWriteFaults,
      ...(r.kill ? { kill: r.kill } : {}),
      ...r.layout,
    }));
}

/** An optional crash list, left out when empty: printed schedules stay short. */
const crashPoints = <K extends 'crashAfterCheckpoint' | 'crashMidAppend'>(key: K, points: number[]) =>
  points.length > 0 ? { [key]: points } : {};

/** One line that reproduces a schedule. */
export const describeSchedule = (s: Schedule) => JSON.stringify(s);

/**
 * How a schedule's checkpoint compacts: in memory, a snapshot every `compactAfterDeltas` deltas; on disk, the
 * store's delta log merged into LMDB every few entries, so that crashes strike log appends and merges alike.
 */
export const compactionOf = (s: Schedule) =>
  s.state === 'disk' ? { mergeAfterEntries: 20 } : { compactAfterDeltas: s.compactAfterDeltas };

/** Where a schedule's keyed state lives, and how its checkpoint is laid out: what the report counts by. */
export const stateLayoutOf = (s: Schedule): string =>
  s.state === 'disk'
    ? 'on disk (LMDB store and its delta log, merged every 20 entries)'
    : s.compactAfterDeltas === undefined
      ? 'in memory, delta log (no compaction)'
      : 'in memory, delta log compacted every 1-7 deltas';

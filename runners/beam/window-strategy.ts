import './node-compat.ts'; // first: Beam needs it as it loads
import 'apache-beam';
import {
  AccumulationMode_Enum,
  ClosingBehavior_Enum,
  MergeStatus_Enum,
  OnTimeBehavior_Enum,
  OutputTime_Enum,
  type Trigger,
  type WindowingStrategy,
} from 'apache-beam/proto/beam_runner_api';
import type { WindowNode } from '../../compiler/ir/index.ts';

/**
 * How long a streaming job keeps a window beyond its allowed lateness (in watermark time) unless told
 * (`--window-grace`): an hour. Which records are late is decided before the grouping, by the watermark each
 * record was read under (run-context.ts); the grouping must not drop any other, and it would: Flink's
 * watermark reaches the grouping ahead of records still in the TypeScript stage (measured: replaying 20
 * minutes of readings, with no grace a window lost 2 or 3 of its 12 records a key at the start of the job).
 * The grace never changes what a window counts (each input is for one window the steps chose: run-context.ts),
 * it only keeps windows in Flink's state that much longer.
 */
export const defaultWindowGraceMs = 60 * 60_000;

/**
 * How often, at most, an open window's changed aggregate is written by a streaming job (`emit: 'updates'`,
 * the default). The local runner writes it after each batch; without these early firings a window would
 * be written only once the watermark passes its end, and the watermark, which follows event times, does
 * not pass the last windows while the topic is idle.
 */
export const earlyFiringDelayMs = 1_000;

/** Fires `earlyFiringDelayMs` after the first record since the last firing. */
function aSecondAfterAChange(): Trigger {
  const delay = { oneofKind: 'delay' as const, delay: { delayMillis: BigInt(earlyFiringDelayMs) } };
  return {
    trigger: {
      oneofKind: 'afterProcessingTime',
      afterProcessingTime: { timestampTransforms: [{ timestampTransform: delay }] },
    },
  };
}

/**
 * A streaming job's triggers: early firings (updates), then one firing for each record within the allowed
 * lateness. Without a window (the global one, which ends only at the end of time, where an unbounded read's
 * watermark never gets), the early firings alone, over and over: at Beam's default trigger such a job never
 * wrote its aggregates.
 */
function streamingTrigger(window: WindowNode | undefined): Trigger {
  if (!window) return { trigger: { oneofKind: 'repeat', repeat: { subtrigger: aSecondAfterAChange() } } };
  const perLateRecord: Trigger = { trigger: { oneofKind: 'elementCount', elementCount: { elementCount: 1 } } };
  // `emit: 'final'`: written when the watermark passes the window's end, and again for each later record.
  if (window.emit === 'final')
    return { trigger: { oneofKind: 'afterEndOfWindow', afterEndOfWindow: { lateFirings: perLateRecord } } };
  return {
    trigger: {
      oneofKind: 'afterEndOfWindow',
      afterEndOfWindow: { earlyFirings: aSecondAfterAChange(), lateFirings: perLateRecord },
    },
  };
}

/**
 * How Beam fires a window (`undefined`: the global window of a pipeline without one). In a bounded job: once,
 * at the end (Beam's default). In a streaming job (`streaming` given): see `streamingTrigger`, each firing
 * carrying the whole aggregate (an upsert writes it whole, as the local runner does) or, for a counter sink,
 * what changed; the window is kept for its allowed lateness plus `graceMs`.
 */
export function windowingOf(
  window: WindowNode | undefined,
  counter: boolean,
  environmentId: string,
  streaming?: { readonly graceMs: number },
): WindowingStrategy {
  return {
    windowFn: undefined,
    windowCoderId: '',
    mergeStatus: MergeStatus_Enum.NON_MERGING,
    // Each input is in one fixed window (translate.ts's windowFn), also for a sliding window.
    assignsToOneWindow: true,
    trigger: streaming ? streamingTrigger(window) : { trigger: { oneofKind: 'default', default: {} } },
    accumulationMode: counter ? AccumulationMode_Enum.DISCARDING : AccumulationMode_Enum.ACCUMULATING,
    outputTime: OutputTime_Enum.END_OF_WINDOW,
    // A streaming window fires only panes that hold records since its last firing: every firing carries the
    // whole aggregate already (or, for a counter, its change), and an empty pane would write an empty aggregate
    // (measured: counts of 0 written over windows whose records had all been counted, once they expired).
    closingBehavior: streaming ? ClosingBehavior_Enum.EMIT_IF_NONEMPTY : ClosingBehavior_Enum.EMIT_ALWAYS,
    onTimeBehavior: streaming ? OnTimeBehavior_Enum.FIRE_IF_NONEMPTY : OnTimeBehavior_Enum.FIRE_ALWAYS,
    allowedLateness: BigInt((window?.allowedLatenessMs ?? 0) + (streaming?.graceMs ?? 0)),
    environmentId,
  };
}

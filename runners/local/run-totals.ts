import type { AggregationState } from './aggregation-state.ts';
import type { LocalRunResult, Progress, Resumed } from './run-options.ts';

/** What a run counted: the record path and the batch writer add to it, the result and the progress lines read it. */
export class RunTotals {
  recordsIn = 0;
  deadLetters = 0;
  late = 0;
  lost = 0;
  abandoned = 0;
  replays = 0;
  readonly rowsWritten: Record<string, number> = {};
  readonly injected = { writeFail: 0, lostAck: 0, duplicate: 0 };
  /** When the run started, and when its input was ready (connected, partitions assigned). */
  readonly startedAt = performance.now();
  inputReadyAt = this.startedAt;
}

/** The progress line after a batch's writes (and checkpoint): counts as they stand now, rates since the start. */
export function progressAfter(
  totals: RunTotals,
  state: AggregationState | undefined,
  batch: number,
  recordsRead: number | undefined,
  resumed: Resumed | undefined,
): Progress {
  const now = performance.now();
  return {
    batch,
    records: totals.recordsIn,
    eventsPerSecond: (totals.recordsIn * 1000) / Math.max(1, now - totals.startedAt),
    watermark: state?.watermark ?? -Infinity,
    stateEntries: state?.size ?? 0,
    ...(recordsRead !== undefined ? { recordsRead } : {}),
    ...(resumed ? { resumed } : {}),
  };
}

export interface RunEnd {
  readonly pipeline: string;
  readonly batches: number;
  readonly resumed: Resumed | undefined;
  readonly plan: LocalRunResult['plan'];
  readonly memory: LocalRunResult['memory'];
  readonly stopped: LocalRunResult['stopped'];
}

export function runResult(totals: RunTotals, end: RunEnd): LocalRunResult {
  return {
    pipeline: end.pipeline,
    batches: end.batches,
    recordsIn: totals.recordsIn,
    deadLetters: totals.deadLetters,
    late: totals.late,
    lost: totals.lost,
    injected: totals.injected,
    rowsWritten: totals.rowsWritten,
    abandonedWrites: totals.abandoned,
    replays: totals.replays,
    elapsedMs: performance.now() - totals.startedAt,
    processingMs: performance.now() - totals.inputReadyAt,
    ...(end.resumed ? { resumed: end.resumed } : {}),
    plan: end.plan,
    memory: end.memory,
    stopped: end.stopped,
  };
}

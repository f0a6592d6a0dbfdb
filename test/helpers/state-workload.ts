import { AggregateNode, WindowNode } from '../../compiler/ir/index.ts';
import { AggregationState, type StateSnapshot } from '../../runners/local/aggregation-state.ts';
import type { CheckpointStore } from '../../runners/local/checkpoint.ts';
import type { StateStore } from '../../runners/local/state-store.ts';
import { aggregatorFor } from '../../runtime/aggregators.ts';
import { SeededRandom } from '../../runtime/seeded-random.ts';

export const minute = 60_000;

export interface Workload {
  readonly keys: number;
  readonly eventsPerBatch: number;
  /** Event time each batch moves on: one-minute windows close (and leave the state) every minute / step batches. */
  readonly stepMs: number;
  /** Composite keys ({ s, n }) instead of strings: indexed by their JSON in the state. */
  readonly compositeKeys?: boolean;
}

/**
 * Sums per key and one-minute tumbling window: the state a workload's batches build (`rollbackable`: with an undo
 * journal; `store`: entries on disk, `--state disk`; `emit`: rows when a window closes).
 */
export const workloadState = (rollbackable = false, store?: StateStore, emit?: 'final') =>
  new AggregationState(
    aggregatorFor(AggregateNode.create({ op: 'sum', field: 'v' })),
    WindowNode.create({
      type: 'tumbling',
      sizeMs: minute,
      slideMs: minute,
      allowedLatenessMs: minute,
      ...(emit ? { emit } : {}),
    }),
    false,
    rollbackable,
    store,
  );

/** Batch `batch` of the workload: the same events for the same batch number, in every process. */
export function addBatch(state: AggregationState, w: Workload, batch: number): void {
  const random = new SeededRandom(batch * 7_919 + 13);
  for (let i = 0; i < w.eventsPerBatch; i++) {
    const k = random.int(0, w.keys - 1);
    // Up to a minute late: some events land in the window before, until it closes.
    const time = batch * w.stepMs - random.int(0, minute);
    state.add(w.compositeKeys ? { s: `s${k % 7}`, n: k } : `k${k}`, time, { v: random.int(1, 100) });
  }
  state.advanceWatermark();
}

/** Batches `from`..`to`, each checkpointed in `store` as the engine does: a delta, or a whole snapshot when the store asks. */
export function checkpointBatches(
  state: AggregationState,
  store: Pick<CheckpointStore, 'save' | 'wantsWholeState'>,
  w: Workload,
  from: number,
  to: number,
  beforeSave?: (batch: number, whole: boolean) => void,
): void {
  for (let batch = from; batch <= to; batch++) {
    addBatch(state, w, batch);
    const whole = store.wantsWholeState();
    const taken = state.takeCheckpoint(whole);
    beforeSave?.(batch, whole);
    store.save({ pipeline: 'workload', batch, position: batch, state: taken });
  }
}

/** The state after batches 1..batch, built in memory with no checkpoint at all: what a restore must equal. */
export function expectedAfter(w: Workload, batch: number): StateSnapshot {
  const state = workloadState();
  for (let b = 1; b <= batch; b++) addBatch(state, w, b);
  return state.snapshot();
}

/** Entries in one order, so that two states compare by content. */
export const sortedEntries = (s: StateSnapshot) => s.entries.map((e) => JSON.stringify(e)).sort();

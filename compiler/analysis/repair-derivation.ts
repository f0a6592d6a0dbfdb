import type { ArchiveNode, EventTimeNode, PipelineNode, StepNode } from '../ir/index.ts';

/**
 * How the correcting batch job is derived from a pipeline: which archive it
 * replays, and which steps it applies to each archived event so that every
 * event lands in the same (key, window) as in the stream.
 *
 * The archive stores the record as it is at the archive, so every step
 * before it is already applied. Only one thing is not stored: the event time,
 * which `.withEventTime()` attaches to the record and which travels beside it.
 * When event time is taken before the archive, the job recomputes it from the
 * archived record — exact only if nothing between changed the record
 * (filters and other archives pass it on untouched).
 */
export type RepairDerivation =
  | {
      readonly repairable: true;
      readonly archive: ArchiveNode;
      /** The steps the job runs on each archived event, in order. */
      readonly steps: readonly StepNode[];
    }
  | { readonly repairable: false; readonly reason: 'no-archive' }
  | {
      readonly repairable: false;
      readonly reason: 'event-time-before-change';
      readonly archive: ArchiveNode;
      readonly eventTime: EventTimeNode;
      /** The step between the event time and the archive that changes the record. */
      readonly change: StepNode;
    };

/** Steps that pass the record on unchanged: an event time taken before them still reads the archived record. */
const keepsRecord = (step: StepNode) => step.kind === 'Filter' || step.kind === 'Archive';

export function repairDerivation(pipeline: PipelineNode): RepairDerivation {
  const steps = pipeline.steps;
  const archiveIndex = steps.findIndex((s) => s.kind === 'Archive');
  const archive = steps[archiveIndex];
  if (!archive || archive.kind !== 'Archive') return { repairable: false, reason: 'no-archive' };
  const after = steps.slice(archiveIndex + 1);
  const before = steps.slice(0, archiveIndex);
  const eventTimeIndex = before.findLastIndex((s) => s.kind === 'EventTime');
  const eventTime = before[eventTimeIndex];
  if (!eventTime || eventTime.kind !== 'EventTime') return { repairable: true, archive, steps: after };
  // Event time set again after the archive, before anything reads it, makes the earlier one irrelevant.
  const readsTime = (s: StepNode) => s.kind === 'Window' || s.kind === 'GroupBy';
  const reset = after.findIndex((s) => s.kind === 'EventTime');
  const firstRead = after.findIndex(readsTime);
  if (reset !== -1 && (firstRead === -1 || reset < firstRead)) return { repairable: true, archive, steps: after };
  const change = before.slice(eventTimeIndex + 1).find((s) => !keepsRecord(s));
  if (change) {
    // Unwindowed aggregates do not depend on event time: their rows are the same without it.
    if (!after.some((s) => s.kind === 'Window')) return { repairable: true, archive, steps: after };
    return { repairable: false, reason: 'event-time-before-change', archive, eventTime, change };
  }
  return { repairable: true, archive, steps: [eventTime, ...after] };
}

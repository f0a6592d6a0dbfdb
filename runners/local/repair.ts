import type { PipelineNode } from '../../compiler/ir/index.ts';
import type { Progress } from './engine.ts';
import { holdFolder } from '../../connectors/exclusive-folder.ts';
import { markRepairPending } from './repair-pending.ts';
import { repairJob, type RepairJob } from './repair-job.ts';
import { repairCheckpoint, type RepairCheckpoint } from './repair-checkpoint.ts';
import { readAhead } from './read-ahead.ts';
import { aggregateEvents, Recomputed, workPartitions, type PartitionOutcome } from './repair-partitions.ts';
import { SinkNode as Sink } from '../../compiler/ir/index.ts';
import type { ArchiveRead, RepairTarget } from '../../runtime/repair-target.ts';

export { RepairRefused, repairJob } from './repair-job.ts';
export type { RepairTarget } from '../../runtime/repair-target.ts';

export interface RepairResult {
  readonly systemOfRecord: string;
  /** Events read back from the system of record. */
  readonly events: number;
  /** Aggregate rows recomputed. */
  readonly checked: number;
  /** Rows that were wrong (or missing) and were rewritten. */
  readonly corrected: number;
  /**
   * Archived events the steps after the archive rejected, not counted anywhere, and the first one's reason: the
   * stream dead-lettered them too, unless the archive gave them back changed (a Date comes back as its ISO text).
   */
  readonly rejected: { readonly count: number; readonly first?: string };
  /** The most (key, window) groups held in memory at once (at most `pageRows`). */
  readonly peakGroups: number;
  /** With a checkpoint: the (key, window) entries of its state rewritten from the system of record, and how many differed. */
  readonly state?: { readonly entries: number; readonly changed: number };
  readonly elapsedMs: number;
}

export interface RepairOptions {
  readonly target: RepairTarget;
  readonly dryRun?: boolean;
  /**
   * The stream's checkpoint folder: its aggregation state is rewritten from
   * the system of record too, so a resumed stream goes on from the repaired
   * values instead of writing its stale ones over them.
   */
  readonly checkpointDir?: string;
  /** Most (key, window) groups or sink rows held at once (default 20,000): past it, partial aggregates go to partition files. */
  readonly pageRows?: number;
  readonly onProgress?: (p: Progress) => void;
}

/**
 * The seed's correcting batch job: every aggregate recomputed from the
 * system of record with the pipeline's own steps, and the rows that differ
 * rewritten. Streamed: events and sink rows are spread over partition files
 * by the row they belong to, and worked a partition at a time, so memory is
 * bounded by `pageRows`, not by the size of the tables.
 */
export async function repair(pipeline: PipelineNode, options: RepairOptions): Promise<RepairResult> {
  const started = performance.now();
  const job = repairJob(pipeline); // refuses before reading anything
  const dir = options.checkpointDir;
  // The folder as a run holds it (a stream running there refuses this repair), and a marker until the state is rewritten.
  const folder =
    dir && !options.dryRun
      ? holdFolder(dir, 'the checkpoint folder', 'a repair while the stream runs would be undone by its next write')
      : undefined;
  let pending: { done(): void } | undefined;
  let checkpoint: RepairCheckpoint | undefined;
  try {
    checkpoint = dir ? await repairCheckpoint(dir, pipeline.name, job.window) : undefined;
    if (dir && !options.dryRun) pending = markRepairPending(dir, pipeline.name);
    const outcome = await recompute(job, options, checkpoint, started);
    const state = checkpoint ? checkpoint.rewrite(outcome.stateEntries, options.dryRun ?? false) : undefined;
    pending?.done();
    return {
      systemOfRecord: Sink.label(job.systemOfRecord),
      events: outcome.events,
      checked: outcome.checked,
      corrected: outcome.corrected,
      rejected: outcome.rejected,
      peakGroups: outcome.peakGroups,
      state,
      elapsedMs: performance.now() - started,
    };
  } finally {
    await checkpoint?.close();
    folder?.release();
  }
}

async function recompute(
  job: RepairJob,
  options: RepairOptions,
  checkpoint: RepairCheckpoint | undefined,
  started: number,
): Promise<PartitionOutcome & { events: number; peakGroups: number; rejected: RepairResult['rejected'] }> {
  const { target } = options;
  const sink = job.pipeline.sink;
  const pageRows = options.pageRows ?? 20_000;
  const report = (events: number) =>
    options.onProgress?.({
      batch: 0,
      records: events,
      eventsPerSecond: (events * 1000) / Math.max(1, performance.now() - started),
      watermark: -Infinity,
      stateEntries: 0,
    });
  let read: ArchiveRead | undefined = target.events(job.systemOfRecord);
  let recomputed: Recomputed | undefined;
  let rejectedBefore = 0;
  // The sink's rows read meanwhile, up to the bound on what repair holds: their queries overlap the archive's.
  const sinkRows = readAhead(target.rows(sink), pageRows, (page) => page.length);
  try {
    // Read again (rarely) when an event id turned out to be archived in two partitions: aggregates cannot take an event back.
    while (read) {
      recomputed?.remove();
      recomputed = new Recomputed(job, (key) => target.storedKey(sink, key), pageRows);
      // Counted for the last read only: a read done again (de-duplicated) rejects the same events again.
      rejectedBefore = job.rejected();
      await aggregateEvents(recomputed, read.events, report);
      read = await read.exact();
    }
    await recomputed!.finish(sinkRows);
    const outcome = await workPartitions(recomputed!, {
      pageRows,
      // eslint-disable-next-line @typescript-eslint/unbound-method -- holds is a closure of the checkpoint loaded above, it uses no this
      keepState: checkpoint?.holds,
      write: options.dryRun ? async () => {} : (ops) => target.write(sink, ops),
    });
    const rejected = { count: job.rejected() - rejectedBefore, first: job.firstRejection() };
    return { ...outcome, events: recomputed!.events, peakGroups: recomputed!.peak, rejected };
  } finally {
    recomputed?.remove();
    await sinkRows.close();
  }
}

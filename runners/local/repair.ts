import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PipelineNode, SinkNode, SourceNode, type WindowNode } from '../../compiler/ir/index.ts';
import { EmbeddedStore, type Row } from '../../connectors/embedded/store.ts';
import type { TableOp } from '../../connectors/embedded/table-log.ts';
import { repairDerivation } from '../../compiler/analysis/repair-derivation.ts';
import { RunnerError } from '../runner-error.ts';
import { runLocal, type Progress } from './engine.ts';
import { diffPlan } from './plan-diff.ts';

export interface RepairResult {
  readonly systemOfRecord: string;
  /** Events read back from the system of record. */
  readonly events: number;
  /** Aggregate rows recomputed. */
  readonly checked: number;
  /** Rows that were wrong (or missing) and were rewritten. */
  readonly corrected: number;
  readonly elapsedMs: number;
}

export class RepairRefused extends RunnerError {
  constructor(
    message: string,
    /** The compiler codes behind the refusal (IDEM001, IDEM006, IDEM007). */
    readonly codes: readonly string[],
  ) {
    super(message);
  }
}

/** Where repair reads the system of record from and rewrites aggregates to: the embedded store, or Cassandra. */
export interface RepairTarget {
  /** Every archived event. */
  events(systemOfRecord: SinkNode): Promise<unknown[]>;
  /** Reads the sink table, and answers its current row for a planned primary key. */
  currentRows(sink: SinkNode): Promise<(key: readonly unknown[]) => Row | undefined>;
  write(sink: SinkNode, ops: readonly TableOp[]): Promise<void>;
}

export function embeddedRepairTarget(store: EmbeddedStore): RepairTarget {
  const table = (s: SinkNode) => store.table({ keyspace: s.keyspace ?? 'embedded', table: s.table! });
  return {
    events: async (sor) => table(sor).rows().map((r) => r.columns.payload),
    currentRows: async (sink) => (key) => table(sink).get(key),
    write: async (sink, ops) => table(sink).write(ops),
  };
}

/**
 * The seed's correcting batch job, derived from the pipeline itself: the
 * steps after the archive (same windows, keys and aggregation) over every
 * archived event, writing whole aggregates. Windows never close during
 * repair, so late events count too. Refused, with the rule's code, where
 * rewriting cannot repair: a counter sink, no system of record, no event id,
 * an event time that the archived record no longer yields.
 */
export function repairPipeline(pipeline: PipelineNode, events: readonly unknown[]): { job: PipelineNode; systemOfRecord: SinkNode } {
  if (pipeline.sink.mode === 'counter') {
    throw new RepairRefused(`cannot repair ${pipeline.name}: its sink ${SinkNode.label(pipeline.sink)} is a counter, and a counter cannot be repaired by rewriting it (IDEM001); switch to cassandra.upsert`, ['IDEM001']);
  }
  const derivation = repairDerivation(pipeline);
  if (!derivation.repairable && derivation.reason === 'no-archive') {
    throw new RepairRefused(`cannot repair ${pipeline.name}: it keeps no system of record to replay from (IDEM006); add .archive(…systemOfRecord(…))`, ['IDEM006']);
  }
  if (!derivation.repairable) {
    throw new RepairRefused(`cannot repair ${pipeline.name}: its event time is taken before a ${derivation.change.kind} step that changes the record ${SinkNode.label(derivation.archive.sink)} archives, so the windows cannot be rebuilt from it (IDEM014); call .withEventTime() after that step or after .archive()`, ['IDEM014']);
  }
  const sor = derivation.archive.sink;
  if (!sor.id) throw new RepairRefused(`cannot repair ${pipeline.name}: its system of record has no event id (IDEM007)`, ['IDEM007']);
  // The stream's own steps from the archive on (and its event time, when taken before the archive).
  const steps = derivation.steps.map((s) => (s.kind === 'Window' ? ({ ...s, allowedLatenessMs: Number.MAX_SAFE_INTEGER } satisfies WindowNode) : s));
  const source = SourceNode.create({ connector: 'memory', delivery: 'bounded', options: { count: events.length }, knownFields: [], records: () => events, location: pipeline.location });
  return { job: PipelineNode.create({ name: `${pipeline.name} (repair)`, source, steps, sink: pipeline.sink, location: pipeline.location }), systemOfRecord: sor };
}

export interface RepairOptions {
  readonly target: RepairTarget;
  readonly dryRun?: boolean;
  readonly onProgress?: (p: Progress, total: number) => void;
}

export async function repair(pipeline: PipelineNode, options: RepairOptions): Promise<RepairResult> {
  const started = performance.now();
  const { systemOfRecord: sor } = repairPipeline(pipeline, []); // refuses before reading anything
  const events = await options.target.events(sor);
  const { job } = repairPipeline(pipeline, events);
  // First compute every aggregate without writing, to know which rows are wrong; then write those.
  const scratch = new EmbeddedStore(join(tmpdir(), 'idemflow-repair-scratch'));
  const planned = await runLocal(job, { store: scratch, dryRun: true, batchSize: 10_000, log: () => {}, onProgress: (p) => options.onProgress?.(p, events.length) });
  const sinkId = `${pipeline.sink.keyspace ?? 'embedded'}.${pipeline.sink.table}`;
  const current = await options.target.currentRows(pipeline.sink);
  const changes = diffPlan((planned.plan ?? []).filter((w) => w.sink === sinkId), (_sink, key) => current(key));
  const wrong = changes.filter((c) => c.change !== 'same');
  if (!options.dryRun && wrong.length > 0) await options.target.write(pipeline.sink, wrong.map((r) => ({ op: 'upsert', k: r.key, v: r.after })));
  return { systemOfRecord: SinkNode.label(sor), events: events.length, checked: changes.length, corrected: wrong.length, elapsedMs: performance.now() - started };
}

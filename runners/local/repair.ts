import { compile, PipelineNode, SinkNode, SourceNode, type Diagnostic, type WindowNode } from '../../compiler/index.ts';
import type { EmbeddedStore } from '../../connectors/embedded/store.ts';
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
    readonly diagnostics: readonly Diagnostic[],
  ) {
    super(message);
  }
}

/**
 * The seed's correcting batch job, derived from the pipeline itself: read
 * every raw event back from the system of record, run the steps that follow
 * the archive (same windows, keys and aggregation), and upsert each whole
 * aggregate. Windows never close during repair, so late events count too.
 */
export function repairPipeline(pipeline: PipelineNode): { job: PipelineNode; systemOfRecord: SinkNode } {
  if (pipeline.sink.mode === 'counter') {
    const diagnostics = compile(pipeline).diagnostics.filter((d) => d.code === 'IDEM001' || d.code === 'IDEM002');
    throw new RepairRefused(`cannot repair ${pipeline.name}: its sink ${SinkNode.label(pipeline.sink)} is a counter, and a counter cannot be repaired by rewriting it (${diagnostics.map((d) => d.code).join(', ') || 'IDEM001'}); switch to cassandra.upsert`, diagnostics);
  }
  const archiveIndex = pipeline.steps.findIndex((s) => s.kind === 'Archive');
  if (archiveIndex < 0) {
    throw new RepairRefused(`cannot repair ${pipeline.name}: it keeps no system of record to replay from (IDEM006); add .archive(…systemOfRecord(…))`, compile(pipeline).diagnostics.filter((d) => d.code === 'IDEM006'));
  }
  const archive = pipeline.steps[archiveIndex]!;
  if (archive.kind !== 'Archive') throw new Error('unreachable');
  const sor = archive.sink;
  if (!sor.id) throw new RepairRefused(`cannot repair ${pipeline.name}: its system of record has no event id (IDEM007)`, compile(pipeline).diagnostics.filter((d) => d.code === 'IDEM007'));
  const steps = pipeline.steps.slice(archiveIndex + 1).map((s) => (s.kind === 'Window' ? ({ ...s, allowedLatenessMs: Number.MAX_SAFE_INTEGER } satisfies WindowNode) : s));
  const source = SourceNode.create({ connector: 'cassandra-table', delivery: 'bounded', options: { keyspace: sor.keyspace ?? 'embedded', table: sor.table }, knownFields: [], location: pipeline.location });
  return { job: PipelineNode.create({ name: `${pipeline.name} (repair)`, source, steps, sink: pipeline.sink, location: pipeline.location }), systemOfRecord: sor };
}

export interface RepairOptions {
  readonly store: EmbeddedStore;
  readonly dryRun?: boolean;
  readonly onProgress?: (p: Progress, total: number) => void;
}

export async function repair(pipeline: PipelineNode, options: RepairOptions): Promise<RepairResult> {
  const started = performance.now();
  const { job, systemOfRecord } = repairPipeline(pipeline);
  const sorTable = options.store.table({ keyspace: systemOfRecord.keyspace ?? 'embedded', table: systemOfRecord.table! });
  const total = sorTable.size;
  // First compute every aggregate without writing, to know which rows are wrong; then write those.
  const planned = await runLocal(job, { store: options.store, dryRun: true, batchSize: 10_000, log: () => {}, onProgress: (p) => options.onProgress?.(p, total) });
  const changes = diffPlan(planned.plan ?? [], options.store).filter((c) => c.sink !== `${systemOfRecord.keyspace ?? 'embedded'}.${systemOfRecord.table}`);
  const wrong = changes.filter((c) => c.change !== 'same');
  if (!options.dryRun) {
    const bySink = new Map<string, typeof wrong>();
    for (const c of wrong) bySink.set(c.sink, [...(bySink.get(c.sink) ?? []), c]);
    for (const [sink, rows] of bySink) {
      const [keyspace, table] = sink.split('.') as [string, string];
      options.store.table({ keyspace, table }).write(rows.map((r) => ({ op: 'upsert', k: r.key, v: r.after })));
    }
  }
  return { systemOfRecord: SinkNode.label(systemOfRecord), events: planned.recordsIn, checked: changes.length, corrected: wrong.length, elapsedMs: performance.now() - started };
}

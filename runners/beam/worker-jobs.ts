import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { EmbeddedStore } from '../../connectors/embedded/store.ts';
import { openTargets, runTargets } from '../../connectors/targets.ts';
import { isPipeline } from '../../dsl/index.ts';
import { RunnerError } from '../../runtime/runner-error.ts';
import type { TargetConnector } from '../../runtime/target-connector.ts';
import { fileSha256, type JobRef } from './job-ref.ts';
import { BeamRunContext, beamRuns } from './run-context.ts';
import { noTotals, sumTotals, type WorkerTotals } from './worker-report.ts';

export interface WorkerJobsOptions {
  /** Loads a user's module (TypeScript compiled as it loads): the CLI's loader, handed down, not imported. */
  readonly importModule: (file: string) => Promise<Record<string, unknown>>;
  readonly log: (line: string) => void;
}

interface Prepared {
  ready: Promise<void>;
  /** The sink connections the run opened: closed with it. */
  connectors: readonly TargetConnector[];
  /** Beam workers of this process started for the run: the run is closed when the last stops. */
  workers: number;
  /** Records through the steps at the last progress line. */
  logged: number;
}

/**
 * The runs an `idemflow worker` holds. A run is rebuilt from the pipeline
 * module, once per process, when its first StartWorker (or the submitter's
 * check) arrives: the file's hash is checked against the submitter's, the
 * module imported, its export's IR compiled into the record path, and the
 * sink connections opened from this process's own configuration
 * (IDEMFLOW_CASSANDRA, IDEMFLOW_CONFIG: never from the job). Then it is
 * registered under the run id the job's DoFns carry.
 */
export class WorkerJobs {
  readonly #runs = new Map<string, Prepared>();
  /** Totals of the runs that ended here, newest last, for the submitter's report (which may come after the end). */
  readonly #ended = new Map<string, WorkerTotals>();

  constructor(readonly options: WorkerJobsOptions) {}

  /** Rebuilds the run (once; later calls wait for the first), or says clearly why this worker cannot. */
  prepare(ref: JobRef): Promise<void> {
    let run = this.#runs.get(ref.runId);
    if (!run) {
      const prepared: Prepared = { ready: Promise.resolve(), connectors: [], workers: 0, logged: 0 };
      prepared.ready = this.#rebuild(ref, prepared);
      this.#runs.set(ref.runId, prepared);
      // A run that failed to rebuild is forgotten, so a corrected file is read again on the next request.
      prepared.ready.catch(() => this.#runs.delete(ref.runId));
      run = prepared;
    }
    return run.ready;
  }

  /** After a bundle: one line for each run whose records here grew since its last line. */
  logProgress(): void {
    for (const [runId, run] of this.#runs) {
      if (!beamRuns.has(runId)) continue;
      const { pipeline, totals } = beamRuns.get(runId);
      if (totals.records === run.logged) continue;
      run.logged = totals.records;
      this.options.log(
        `${pipeline.name}: run ${runId}: ${totals.records} records here so far, ${totals.deadLetters} dead letters`,
      );
    }
  }

  /** A Beam worker of the run started in this process. */
  started(ref: JobRef): void {
    const run = this.#runs.get(ref.runId);
    if (run) run.workers++;
  }

  /** A Beam worker of the run stopped; the last one closes the run's connections. */
  async stopped(runId: string): Promise<void> {
    const run = this.#runs.get(runId);
    if (!run || --run.workers > 0) return;
    await this.#end(runId, run);
  }

  /**
   * What this process did for the run, asked by the submitter once the job ended. A run this worker only
   * prepared (the submitter's check) and never ran ends here: its connections are closed.
   */
  totals(runId: string): WorkerTotals {
    const ended = this.#ended.get(runId) ?? noTotals;
    const run = this.#runs.get(runId);
    if (!run || !beamRuns.has(runId)) return ended;
    const totals = sumTotals([ended, totalsOf(runId)]);
    if (run.workers === 0) void run.ready.then(() => this.#end(runId, run));
    return totals;
  }

  async #end(runId: string, run: Prepared): Promise<void> {
    if (this.#runs.get(runId) !== run) return;
    this.#runs.delete(runId);
    if (beamRuns.has(runId)) {
      // Flink may stop a run's last SDK worker here and start another for a later stage: the run is rebuilt, and
      // its totals add up.
      const totals = sumTotals([this.#ended.get(runId) ?? noTotals, totalsOf(runId)]);
      this.#ended.delete(runId);
      this.#ended.set(runId, totals);
      // A long-lived worker keeps the totals of its last runs only.
      if (this.#ended.size > 100) this.#ended.delete(this.#ended.keys().next().value!);
      const rows = Object.entries(totals.rowsWritten).map(([sink, n]) => `${sink} ${n}`);
      this.options.log(
        `${beamRuns.get(runId).pipeline.name}: run ${runId} done here: ${totals.records} records, ${totals.deadLetters} dead letters, rows written: ${rows.join(', ') || 'none'}`,
      );
      beamRuns.close(runId);
    }
    await closeAll(run.connectors);
  }

  async #rebuild(ref: JobRef, run: Prepared): Promise<void> {
    const { log } = this.options;
    let actual: string;
    try {
      actual = await fileSha256(ref.module);
    } catch (error) {
      throw new RunnerError(`pipeline file ${ref.module} cannot be read here (${(error as Error).message})`);
    }
    if (actual !== ref.sha256)
      throw new RunnerError(
        `pipeline file ${ref.module} differs from the submitter's: sha256 ${actual} here, ${ref.sha256} submitted; deploy the same file to every worker`,
      );
    const module = await this.options.importModule(ref.module);
    const exported = module[ref.exportName];
    if (!isPipeline(exported)) {
      const pipelines = Object.keys(module).filter((name) => isPipeline(module[name]));
      throw new RunnerError(
        `pipeline file ${ref.module} has no pipeline export \`${ref.exportName}\` (its pipeline exports: ${pipelines.join(', ') || 'none'})`,
      );
    }
    const pipeline = exported.ir;
    const connectors = await openTargets(pipeline, { createSchema: false, log });
    run.connectors = connectors;
    if (ref.cassandra && !connectors.some((c) => c.target === 'cassandra')) {
      await closeAll(connectors);
      throw new RunnerError(
        `the job writes to Cassandra but this worker has none configured: set IDEMFLOW_CASSANDRA (and IDEMFLOW_CONFIG for credentials) where \`idemflow worker\` runs`,
      );
    }
    // Nothing of a job on external workers writes to the embedded store (the submitter refuses those sinks): a scratch one.
    const store = new EmbeddedStore(join(tmpdir(), 'idemflow-worker', ref.runId));
    const targets = runTargets(store, connectors);
    const context = new BeamRunContext(pipeline, { store, log }, targets, await targets.archiveIdChecks(pipeline));
    beamRuns.open(context, ref.runId);
    log(
      `${ref.pipeline}: rebuilt run ${ref.runId} from ${ref.module}#${ref.exportName} (sha256 ${actual.slice(0, 12)}…)`,
    );
  }
}

/** The run's counts in this process, copied (the context keeps counting). */
function totalsOf(runId: string): WorkerTotals {
  const { totals, rowsWritten } = beamRuns.get(runId);
  return { ...totals, rowsWritten: { ...rowsWritten } };
}

const closeAll = (connectors: readonly TargetConnector[]) =>
  Promise.all(connectors.map((c) => c.close().catch(() => {})));

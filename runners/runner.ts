import type { Diagnostic, PipelineNode } from '../compiler/index.ts';

/** What any runner reports when a run ends. */
export interface RunResult {
  readonly pipeline: string;
  readonly batches: number;
  /** Records read from the source (duplicates included). */
  readonly recordsIn: number;
  readonly deadLetters: number;
  /** Records older than the watermark minus the allowed lateness. */
  readonly late: number;
  /** Rows handed to each sink (by table name), retries not counted. */
  readonly rowsWritten: Readonly<Record<string, number>>;
  /** Writes that failed for good under `retry: 'none'` (their effect is lost). */
  readonly abandonedWrites: number;
  /** Batches replayed from the last checkpoint after a sink failed for good. */
  readonly replays: number;
  readonly elapsedMs: number;
}

/** A runner executes pipeline IR. It says up front what it cannot run, as diagnostics, instead of failing midway. */
export interface Runner<O, R extends RunResult = RunResult> {
  readonly name: string;
  unsupported(pipeline: PipelineNode): Diagnostic[];
  run(pipeline: PipelineNode, options: O): Promise<R>;
}

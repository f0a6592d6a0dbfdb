import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { RunnerError } from '../../runtime/runner-error.ts';

/**
 * What an `idemflow worker` needs to rebuild a run from the pipeline module:
 * the module's path and export, the SHA-256 of the file the submitter ran
 * (a worker with another version refuses), and the run id its DoFns name.
 * It travels in the parameters of Beam's external environment, which Flink
 * hands to the worker pool with each StartWorker request.
 */
export interface JobRef {
  readonly runId: string;
  readonly pipeline: string;
  /** Absolute path of the pipeline file: the same path on every worker host. */
  readonly module: string;
  readonly exportName: string;
  readonly sha256: string;
  /** The pipeline's table sinks write to Cassandra: a worker without it configured refuses the job. */
  readonly cassandra: boolean;
}

/** The key of the external environment's parameters that holds the job reference, as JSON. */
export const jobParam = 'idemflow_job';

export function jobParams(ref: JobRef): Record<string, string> {
  return { [jobParam]: JSON.stringify(ref) };
}

const fields: readonly (keyof JobRef)[] = ['runId', 'pipeline', 'module', 'exportName', 'sha256', 'cassandra'];

/** The job reference of a StartWorker request's parameters; undefined when it has none (not an idemflow job). */
export function jobRefOf(params: Readonly<Record<string, string>>): JobRef | undefined {
  const text = params[jobParam];
  if (text === undefined) return undefined;
  const ref = JSON.parse(text) as Record<string, unknown>;
  const missing = fields.filter((f) => ref[f] === undefined);
  if (missing.length > 0) throw new RunnerError(`the job's ${jobParam} parameter lacks ${missing.join(', ')}`);
  return ref as unknown as JobRef;
}

/** The SHA-256 of a file's bytes, hex. */
export async function fileSha256(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

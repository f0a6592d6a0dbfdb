import './node-compat.ts'; // first: Beam needs it as it loads
// apache-beam's modules require each other in a cycle that resolves only when its index loads first.
import 'apache-beam';
import { TYPESCRIPT_DEFAULT_ENVIRONMENT_URN } from 'apache-beam/internal/environments';
import type { PipelineOptions } from 'apache-beam/options/pipeline_options';
import { StartWorkerRequest } from 'apache-beam/proto/beam_fn_api';
import { BeamFnExternalWorkerPoolClient } from 'apache-beam/proto/beam_fn_api.client';
import { ExternalPayload, Pipeline } from 'apache-beam/proto/beam_runner_api';
import { PortableRunner } from 'apache-beam/runners/portable_runner/runner';
import { RunnerError } from '../../runtime/runner-error.ts';
import { transportTo } from './beam-grpc.ts';
import { jobParams, type JobRef } from './job-ref.ts';
import { checkOnlyPrefix } from './worker-pool.ts';

/** Where a worker started as `idemflow worker --port N` logs, on its own host (named in errors). */
export const workerLogHint = (port: string) => `its output, or $TMPDIR/idemflow-worker/worker-${port}.log on its host`;

/**
 * Beam's PortableRunner, with every TypeScript environment made Beam's
 * EXTERNAL one: Flink's TaskManagers ask the worker pool at `address` for
 * SDK workers, handing it the job reference (the environment's parameters)
 * with each request. Beam 2.49's TypeScript runner knows only LOOPBACK and
 * Docker, so the environments are rewritten here, before it submits.
 */
export class ExternalWorkersRunner extends PortableRunner {
  constructor(
    options: ConstructorParameters<typeof PortableRunner>[0],
    readonly address: string,
    readonly job: JobRef,
  ) {
    super(options);
  }

  override runPipelineWithProto(pipeline: Pipeline, options?: PipelineOptions) {
    const external = Pipeline.clone(pipeline);
    const payload = ExternalPayload.toBinary({
      endpoint: { url: this.address, authentication: undefined },
      params: jobParams(this.job),
    });
    for (const [id, env] of Object.entries(external.components!.environments)) {
      if (env.urn !== TYPESCRIPT_DEFAULT_ENVIRONMENT_URN) continue;
      external.components!.environments[id] = { ...env, urn: 'beam:env:external:v1', payload };
    }
    // Anything but LOOPBACK: the runner starts no pool of its own, and leaves the rewritten environments alone.
    return super.runPipelineWithProto(external, { ...(options as object), environmentType: 'EXTERNAL' });
  }
}

/**
 * Asks each worker to prepare the run before the job is submitted (a
 * StartWorker that only prepares): an unreachable worker, another version
 * of the pipeline file, a missing export or a worker without Cassandra is
 * then one line naming the worker, not a Flink job failing minutes later.
 */
export async function checkWorkers(workers: readonly string[], job: JobRef, timeoutMs = 60_000): Promise<void> {
  await Promise.all(
    workers.map(async (address) => {
      const transport = transportTo(address);
      const client = new BeamFnExternalWorkerPoolClient(transport);
      let error: string;
      try {
        const request = StartWorkerRequest.create({
          workerId: `${checkOnlyPrefix}${job.runId}`,
          params: jobParams(job),
        });
        ({ error } = await client.startWorker(request, { timeout: timeoutMs }).response);
      } catch (cause) {
        const reason = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
        const port = address.split(':').at(-1) ?? 'N';
        throw new RunnerError(
          `no idemflow worker answers at ${address} (${reason}); start one there (idemflow worker --port ${port}) or fix --workers; see ${workerLogHint(port)}`,
        );
      } finally {
        transport.close();
      }
      if (error) throw new RunnerError(`worker ${address} refused the job: ${error}`);
    }),
  );
}

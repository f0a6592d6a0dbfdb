import { SinkNode } from '../../compiler/ir/index.ts';
import { describeFaults, noFaults, type FaultSpec } from '../../runtime/faults.ts';
import { RunnerError } from '../../runtime/runner-error.ts';
import { startInputServer } from './input-server.ts';
import { fileSha256, type JobRef } from './job-ref.ts';
import type { BeamRunContext } from './run-context.ts';
import type { Placement } from './translate.ts';

/** `--environment external`: the SDK workers run in `idemflow worker`s, not in the submitting process. */
export interface ExternalWorkers {
  /** host:port of each worker (`idemflow worker --port N`). */
  readonly workers: readonly string[];
  /** The pipeline module, absolute, and its export: each worker imports it itself. */
  readonly module: string;
  readonly exportName: string;
}

/** Sink targets whose rows land where a worker writes them and anyone can read them back. */
const sharedTargets = new Set(['cassandra']);

/**
 * What cannot run on workers apart, refused before anything starts: sinks
 * whose rows would stay in each worker (memory, the embedded store, local
 * files), and injected faults (the workers inject none).
 */
function refuseOffWorkers(context: BeamRunContext, faults: FaultSpec | undefined): void {
  if (faults && describeFaults(faults) !== describeFaults(noFaults))
    throw new RunnerError('--faults: not with --environment external (the workers inject no faults)');
  for (const sink of context.sinks) {
    if (sink.target === 'console' || sink.target === 'custom') continue;
    const where = sink.target === 'memory' ? 'memory' : context.targets.for(sink).target;
    if (sharedTargets.has(where)) continue;
    const fix =
      sink.target === 'cassandra'
        ? 'configure Cassandra (--cassandra or IDEMFLOW_CASSANDRA) for this run and on every worker'
        : 'write it to Cassandra';
    throw new RunnerError(
      `${SinkNode.label(sink)}: with --environment external it would write to ${where === 'memory' ? "each worker's memory" : `each worker's own ${where} store`}, where this run cannot see it; ${fix}`,
    );
  }
}

/**
 * The job reference the workers rebuild the run from, and where they fetch the input: a server in this process
 * (the workers cannot ask its reader), stopped by `stop` once the job ended.
 */
export async function externalPlacement(
  context: BeamRunContext,
  runId: string,
  external: ExternalWorkers,
  faults: FaultSpec | undefined,
): Promise<{ job: JobRef; placement: Placement; stop: () => Promise<void> }> {
  refuseOffWorkers(context, faults);
  const job: JobRef = {
    runId,
    pipeline: context.pipeline.name,
    module: external.module,
    exportName: external.exportName,
    sha256: await fileSha256(external.module),
    cassandra: context.sinks.some((s) => s.target === 'cassandra'),
  };
  const input = await startInputServer(context.input ?? { values: [], positions: (i) => `#${i}` });
  return {
    job,
    placement: { fetch: { url: input.url, chunks: input.chunks }, spread: true },
    stop: () => input.stop(),
  };
}

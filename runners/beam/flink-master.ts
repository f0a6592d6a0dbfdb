import { flinkCluster } from '../../scripts/servers/flink-cluster.ts';
import { paths } from '../../scripts/servers/service.ts';
import { RunnerError } from '../../runtime/runner-error.ts';

/** `host:port` of a JobManager's REST endpoint; `[local]` and Beam's other bracketed masters are not addresses. */
const address = /^[^\s/[\]]+:\d+$/;

/** Whether `master` is a JobManager's REST `host:port` (not `[local]` or another of Beam's bracketed masters). */
export const isFlinkAddress = (master: string) => address.test(master);

/**
 * Asks the JobManager at `master` for its overview before a job server is
 * started for it: an unreachable or mistyped master is then one line naming
 * the address, in a second, rather than a job that fails after the job
 * server's start with Flink's connection error deep in its log.
 */
export async function checkFlinkMaster(master: string, timeoutMs = 5_000): Promise<void> {
  if (!address.test(master)) {
    if (master.startsWith('[')) return;
    throw new RunnerError(`--flink-master ${master}: give the host:port of a Flink JobManager's REST endpoint`);
  }
  const url = `http://${master}/overview`;
  let problem: string;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const body = (await response.json().catch(() => undefined)) as { taskmanagers?: unknown } | undefined;
    if (response.ok && typeof body?.taskmanagers === 'number') return;
    problem = `it answered HTTP ${response.status}, not as a Flink JobManager`;
  } catch (error) {
    if (error instanceof Error && error.name === 'TimeoutError') problem = `no answer within ${timeoutMs / 1000} s`;
    else problem = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
  }
  throw new RunnerError(
    `no Flink cluster answers at ${master} (GET ${url}: ${problem}); start one (scripts/services up flink-cluster: its logs are in ${paths(flinkCluster).run}) or fix --flink-master`,
  );
}

/**
 * What Flink itself says about a job while it runs. Beam's job server reports
 * a job that Flink is restarting as RUNNING: a job that fails over and over
 * (a TaskManager gone, an SDK worker that cannot be reached) looks like a
 * hang from the submitting process. The JobManager's REST API knows better:
 * `/jobs/<id>` has its state (RESTARTING) and `/jobs/<id>/exceptions` each
 * failure with the task, the TaskManager and the stack trace. The watch polls
 * both and logs each new failure, so the user sees the root cause as it
 * happens, and the run's error can name the last one.
 */
import { RunnerError } from '../../runtime/runner-error.ts';

/** How often the JobManager is asked while the job runs. */
const pollMs = 2_000;

export interface FlinkJobWatch {
  /** The last failure Flink recorded for the job, as one line; undefined when there was none. */
  lastFailure(): string | undefined;
  /** How many failures Flink recorded for the job: each made it restart the job from its last checkpoint, or fail it. */
  failures(): number;
  /** Stops polling, after a last look; `failed`: the job failed, so Flink has a failure to tell (waits up to 10 s for it). */
  stop(failed?: boolean): Promise<void>;
  /**
   * Cancels the job on the cluster and waits until Flink says it ended. Beam's job server, asked to cancel, stops
   * waiting for a job of a session cluster but leaves it running there: its SDK workers stay connected, and a
   * LOOPBACK run's process cannot exit. Returns the job's last state; throws, naming the job and where to cancel
   * it, when the job did not show or did not end in time: it may still be running there.
   */
  cancel(): Promise<string>;
}

/** How long a cancelled job may take to show on the cluster, and then to end there, before the run stops waiting. */
const cancelWaitMs = 60_000;
const ended = new Set(['CANCELED', 'FAILED', 'FINISHED']);

/** One failure of Flink's exception history (Flink 1.16's `/jobs/<id>/exceptions`). */
interface ExceptionEntry {
  readonly exceptionName?: string;
  readonly stacktrace?: string;
  readonly timestamp: number;
  readonly taskName?: string | null;
  readonly location?: string | null;
}

interface JobOverview {
  readonly jid: string;
  readonly name: string;
  readonly 'start-time': number;
}

/** The innermost cause of a Java stack trace (its last `Caused by:`), else its first line; kept to one short line. */
export function rootCauseOf(stacktrace: string): string {
  const causes = [...stacktrace.matchAll(/^Caused by: (.+)$/gm)].map((m) => m[1]!.trim());
  const line = causes.at(-1) ?? stacktrace.split('\n')[0]!.trim();
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/** A failure as the user reads it: the root cause, and where it happened. */
export function describeFailure(entry: ExceptionEntry): string {
  const cause = rootCauseOf(entry.stacktrace ?? entry.exceptionName ?? 'an unknown failure');
  const where = [entry.taskName && `task ${entry.taskName}`, entry.location && `at ${entry.location}`]
    .filter(Boolean)
    .join(' ');
  return where ? `${cause} (${where})` : cause;
}

async function getJson<T>(url: string, method = 'GET'): Promise<T | undefined> {
  try {
    const response = await fetch(url, { method, signal: AbortSignal.timeout(5_000) });
    return response.ok ? ((await response.json()) as T) : undefined;
  } catch {
    return undefined; // the JobManager is busy or restarting: asked again at the next poll
  }
}

/** The id of the job named `name` the JobManager at `master` lists, started at or after `since`. */
async function findJob(master: string, name: string, since: number): Promise<string | undefined> {
  const overview = await getJson<{ jobs: JobOverview[] }>(`http://${master}/jobs/overview`);
  return overview?.jobs.find((j) => j.name === name && j['start-time'] >= since)?.jid;
}

const halfASecond = () => new Promise((r) => setTimeout(r, 500));

/**
 * The id of the job named `name`, looked for up to `waitMs`: a run stopped right after it started (Ctrl-C
 * while the job server still submits) asks before the cluster lists the job, which would then run on.
 */
async function jobShowing(master: string, name: string, since: number, waitMs: number): Promise<string> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const jobId = await findJob(master, name, since);
    if (jobId) return jobId;
    if (Date.now() >= deadline)
      throw new RunnerError(
        `cancelling: no job ${name} showed on the Flink cluster at ${master} within ${waitMs / 1000} s; if it shows later, cancel it there (PATCH http://${master}/jobs/<id>?mode=cancel)`,
      );
    await halfASecond();
  }
}

/** Cancels a job on the cluster; returns its state once ended, or throws if it did not end by `deadline`. */
async function cancelJob(master: string, jobId: string, deadline: number): Promise<string> {
  let state: string | undefined;
  // Asked again while it is not ended: a job between restarts may not take the first request.
  do {
    await getJson(`http://${master}/jobs/${jobId}?mode=cancel`, 'PATCH');
    state = (await getJson<{ state: string }>(`http://${master}/jobs/${jobId}`))?.state;
    if (state !== undefined && ended.has(state)) return state;
    await halfASecond();
  } while (Date.now() < deadline);
  throw new RunnerError(
    `cancelling: job ${jobId} did not end on the Flink cluster at ${master} (${state === undefined ? 'the JobManager did not answer' : `still ${state}`}); it may still be running there: cancel it there (PATCH http://${master}/jobs/${jobId}?mode=cancel)`,
  );
}

/** The failures Flink recorded for a job after `seen` (a time), oldest first; undefined when the JobManager did not answer. */
async function failuresSince(master: string, jobId: string, seen: number): Promise<ExceptionEntry[] | undefined> {
  const history = await getJson<{ exceptionHistory?: { entries: ExceptionEntry[] } }>(
    `http://${master}/jobs/${jobId}/exceptions`,
  );
  if (!history) return undefined;
  const entries = [...(history.exceptionHistory?.entries ?? [])].sort((a, b) => a.timestamp - b.timestamp);
  return entries.filter((e) => e.timestamp > seen);
}

/**
 * Watches the Flink job named `jobName` on the JobManager at `master` (a REST `host:port`) from now until
 * `stop`: each failure Flink records is logged once, with the job's state then (RESTARTING while Flink
 * restarts it from its last checkpoint, FAILED once its restart strategy gives up).
 */
export function watchFlinkJob(
  master: string,
  jobName: string,
  log: (line: string) => void,
  cancelWait = cancelWaitMs,
): FlinkJobWatch {
  // Clocks of this process and the JobManager may differ by a little: a job started a minute before is not ours.
  const since = Date.now() - 60_000;
  let jobId: string | undefined;
  let seen = 0;
  let failures = 0;
  let last: string | undefined;
  let stopped = false;
  let wake = () => {};
  /** Logs the failures Flink recorded since the last poll; false when the JobManager did not answer for the job. */
  const poll = async (): Promise<boolean> => {
    jobId ??= await findJob(master, jobName, since);
    if (!jobId) return false;
    const fresh = await failuresSince(master, jobId, seen);
    if (!fresh) return false;
    if (fresh.length === 0) return true;
    const job = await getJson<{ state: string }>(`http://${master}/jobs/${jobId}`);
    for (const entry of fresh) {
      last = describeFailure(entry);
      const at = new Date(entry.timestamp).toISOString().slice(11, 19);
      log(`flink: job ${jobId} failed at ${at} UTC, now ${job?.state ?? 'in an unknown state'}: ${last}`);
    }
    seen = fresh.at(-1)!.timestamp;
    failures += fresh.length;
    return true;
  };
  const loop = (async () => {
    while (!stopped) {
      await poll();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  })();
  return {
    lastFailure: () => last,
    failures: () => failures,
    async cancel() {
      jobId ??= await jobShowing(master, jobName, since, cancelWait);
      return cancelJob(master, jobId, Date.now() + cancelWait);
    },
    async stop(failed = false) {
      stopped = true;
      wake();
      await loop;
      // A failure recorded since the last poll (the one that ended the job) is still worth a line. A job that has
      // just failed may be between its JobMaster and the JobManager's archive, where REST does not find it: asked
      // again, a second apart, until Flink tells its failure.
      for (let attempt = 0; attempt < (failed ? 10 : 1); attempt++) {
        if ((await poll()) && (!failed || last !== undefined)) return;
        await new Promise((r) => setTimeout(r, 1_000));
      }
    },
  };
}

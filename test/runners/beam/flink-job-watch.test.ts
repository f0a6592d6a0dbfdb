import { describe, expect, it } from 'vitest';
import { describeFailure, rootCauseOf } from '../../../runners/beam/flink-job-watch.ts';

// The shape of a stack trace in Flink 1.16's /jobs/<id>/exceptions (exceptionHistory.entries[].stacktrace).
const lostTaskManager = `org.apache.flink.runtime.jobmaster.JobMasterException: TaskManager with id taskmanager-1-lx3 is no longer reachable.
\tat org.apache.flink.runtime.jobmaster.JobMaster$TaskManagerHeartbeatListener.notifyTargetUnreachable(JobMaster.java:1387)
\tat org.apache.flink.runtime.heartbeat.HeartbeatMonitorImpl.reportHeartbeatRpcFailure(HeartbeatMonitorImpl.java:123)
`;
const workerGone = `java.lang.Exception: The user defined 'open()' method caused an exception: java.io.IOException: Could not start worker
\tat org.apache.flink.runtime.operators.BatchTask.run(BatchTask.java:508)
Caused by: java.util.concurrent.ExecutionException: Could not start worker
\tat java.base/java.util.concurrent.FutureTask.report(FutureTask.java:122)
Caused by: io.grpc.StatusRuntimeException: UNAVAILABLE: io exception
\tat io.grpc.stub.ClientCalls.toStatusRuntimeException(ClientCalls.java:271)
\t... 12 more
`;

describe('what the CLI says of a failure Flink recorded', () => {
  it('the innermost cause of a stack trace, else its first line', () => {
    expect(rootCauseOf(workerGone)).toBe('io.grpc.StatusRuntimeException: UNAVAILABLE: io exception');
    expect(rootCauseOf(lostTaskManager)).toBe(
      'org.apache.flink.runtime.jobmaster.JobMasterException: TaskManager with id taskmanager-1-lx3 is no longer reachable.',
    );
  });

  it('kept to one short line', () => {
    const long = `java.lang.RuntimeException: ${'x'.repeat(1_000)}\n\tat a.b(C.java:1)`;
    expect(rootCauseOf(long)).toHaveLength(301);
    expect(rootCauseOf(long).endsWith('…')).toBe(true);
  });

  it('names the task and where it ran, when Flink knows', () => {
    expect(
      describeFailure({ stacktrace: workerGone, timestamp: 1, taskName: 'steps (1/1)', location: '127.0.0.1:4321' }),
    ).toBe('io.grpc.StatusRuntimeException: UNAVAILABLE: io exception (task steps (1/1) at 127.0.0.1:4321)');
    expect(describeFailure({ stacktrace: lostTaskManager, timestamp: 1, taskName: null, location: null })).toBe(
      rootCauseOf(lostTaskManager),
    );
    expect(describeFailure({ exceptionName: 'java.lang.Error', timestamp: 1 })).toBe('java.lang.Error');
  });
});

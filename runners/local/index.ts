import type { Diagnostic } from '../../compiler/index.ts';
import type { Runner } from '../runner.ts';
import { runLocal, type LocalRunOptions, type LocalRunResult } from './engine.ts';

const readable = new Set(['memory', 'file', 'generator', 'socket', 'kafka', 'cassandra-table']);

/** The in-process runner: micro-batches, checkpoints, faults, dry-run, repair. */
export const localRunner: Runner<LocalRunOptions, LocalRunResult> = {
  name: 'local',
  unsupported(pipeline): Diagnostic[] {
    if (readable.has(pipeline.source.connector)) return [];
    return [
      {
        code: 'RUNNER',
        rule: 'local-runner-source',
        severity: 'error',
        messageId: 'source',
        message: `The local runner cannot read ${pipeline.source.connector} sources yet.`,
        fix: 'Run it on a memory, file, generator or socket source (or a recorded file of the same records) until the connector lands.',
        location: pipeline.source.location,
      },
    ];
  },
  run: runLocal,
};

export { runLocal, SimulatedCrash, crashExitCode } from './engine.ts';
export type { LocalRunOptions, LocalRunResult, Progress, Resumed } from './engine.ts';
export { repair, repairJob, RepairRefused, type RepairTarget, type RepairResult } from './repair.ts';
export { embeddedRepairTarget } from '../../connectors/embedded/repair-target.ts';
export { diffPlan, storeLookup } from './plan-diff.ts';
export { parseFaults, describeFaults, noFaults } from '../../runtime/faults.ts';
export { runWithRestarts } from './run-with-restarts.ts';
export { EmbeddedStore, EmbeddedTable, type Row, type TableRef } from '../../connectors/embedded/store.ts';
export { cassandraConnector } from '../../connectors/cassandra/connector.ts';
export type { TargetConnector } from '../../runtime/target-connector.ts';

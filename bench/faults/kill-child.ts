/**
 * One run of a campaign schedule in a process of its own, so that the
 * campaign can kill it with SIGKILL at any moment — between a checkpoint and
 * the offset commit, mid-append, between two writes — and go on from what is
 * on disk. Prints `{"batch":n}` after each checkpointed batch.
 */
import { Client } from 'cassandra-driver';
import { EmbeddedStore } from '../../connectors/embedded/store.ts';
import { runLocal } from '../../runners/local/engine.ts';
import { noFaults } from '../../runners/local/faults.ts';
import { campaignPipeline, type Placement } from './pipelines.ts';
import type { Schedule } from './schedule.ts';

export interface KillChildConfig {
  readonly schedule: Schedule;
  readonly place: Placement;
  readonly storeDir: string;
  readonly checkpointDir: string;
  readonly cassandraContactPoint?: string;
  readonly maxRecords?: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as KillChildConfig;
const pipeline = campaignPipeline(config.schedule, config.place);
const client = config.cassandraContactPoint
  ? new Client({ contactPoints: [config.cassandraContactPoint], localDataCenter: 'datacenter1' })
  : undefined;
await client?.connect();
await runLocal(pipeline, {
  store: new EmbeddedStore(config.storeDir),
  cassandra: client,
  checkpointDir: config.checkpointDir,
  batchSize: config.schedule.batchSize,
  batchIntervalMs: 100,
  untilIdleMs: 1_500,
  maxRecords: config.maxRecords,
  // The other faults strike in the runs that follow, in-process, where they are counted.
  faults: { ...noFaults, writeFail: config.schedule.faults.writeFail, lostAck: config.schedule.faults.lostAck },
  seed: config.schedule.seed,
  log: () => {},
  onProgress: (p) => process.stdout.write(`${JSON.stringify({ batch: p.batch })}\n`),
});
process.exit(0);

/**
 * One run of a campaign schedule in a process of its own, so that the
 * campaign can kill it with SIGKILL at any moment — mid-batch, between two
 * writes, mid-append — and go on from what is on disk; its injected crash
 * points exit it for real. Prints `{"batch":n}` after each checkpointed batch.
 */
import { Client } from 'cassandra-driver';
import { EmbeddedStore } from '../../connectors/embedded/store.ts';
import { runLocal } from '../../runners/local/engine.ts';
import { noFaults } from '../../runtime/faults.ts';
import { campaignPipeline, type Placement } from './pipelines.ts';
import { compactionOf, type Schedule } from './schedule.ts';
import { cassandraConnector } from '../../connectors/cassandra/connector.ts';

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
  targets: client ? [cassandraConnector(client)] : [],
  checkpointDir: config.checkpointDir,
  compaction: compactionOf(config.schedule),
  ...(config.schedule.state === 'disk' ? { state: { kind: 'disk' as const } } : {}),
  batchSize: config.schedule.batchSize,
  batchIntervalMs: 100,
  untilIdleMs: 1_500,
  maxRecords: config.maxRecords,
  // Crash points after a checkpoint (before the offset commit or the WAL truncation) and mid-append exit this
  // process for real (137, nothing flushed); the other faults strike in the in-process runs that follow, where
  // they are counted.
  faults: {
    ...noFaults,
    writeFail: config.schedule.faults.writeFail,
    lostAck: config.schedule.faults.lostAck,
    crashAfterCheckpoint: config.schedule.faults.crashAfterCheckpoint,
    crashMidAppend: config.schedule.faults.crashMidAppend,
  },
  seed: config.schedule.seed,
  log: () => {},
  onProgress: (p) => process.stdout.write(`${JSON.stringify({ batch: p.batch })}\n`),
});
process.exit(0);

/**
 * One run of a strategy pipeline, as a process of its own so that the
 * benchmark can kill it with SIGKILL and start it again: loads the strategy
 * file, points it at the trial's resources, runs it on the local runner with
 * durable checkpoints, writing to Cassandra through the fault proxy. Prints
 * one JSON line a batch (`{"batch":n,…}`) and a last `{"done":…}` line.
 */
import { Client } from 'cassandra-driver';
import { loadPipelines } from '../../cli/load-pipelines.ts';
import { EmbeddedStore } from '../../connectors/embedded/store.ts';
import { runLocal } from '../../runners/local/index.ts';
import { retarget, type Target } from './retarget.ts';
import { cassandraConnector } from '../../connectors/cassandra/connector.ts';

export interface ChildConfig {
  readonly file: string;
  readonly target: Target;
  readonly checkpointDir: string;
  readonly storeDir: string;
  readonly cassandraPort: number;
  readonly batchSize: number;
  readonly untilIdleMs: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as ChildConfig;
const say = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);

const [loaded] = await loadPipelines(config.file);
const pipeline = retarget(loaded!.pipeline.ir, config.target);
// A short read timeout: a swallowed acknowledgement (the proxy) shows up quickly as a failed write, which the sink retries.
const client = new Client({
  contactPoints: [`127.0.0.1:${config.cassandraPort}`],
  localDataCenter: 'datacenter1',
  protocolOptions: { maxVersion: 4 },
  socketOptions: { readTimeout: 1_000, connectTimeout: 5_000 },
  pooling: { heartBeatInterval: 0 },
});
await client.connect();
try {
  const result = await runLocal(pipeline, {
    store: new EmbeddedStore(config.storeDir),
    targets: [cassandraConnector(client)],
    checkpointDir: config.checkpointDir,
    batchSize: config.batchSize,
    batchIntervalMs: 200,
    untilIdleMs: config.untilIdleMs,
    onProgress: (p) => say({ batch: p.batch, records: p.records, t: Date.now() }),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  // An idle stop waited untilIdleMs for nothing: that wait is not processing.
  const busyMs = result.stopped === 'idle' ? result.processingMs - config.untilIdleMs : result.processingMs;
  say({
    done: true,
    recordsIn: result.recordsIn,
    processingMs: busyMs,
    replays: result.replays,
    stopped: result.stopped,
    t: Date.now(),
  });
} finally {
  // A driver whose acknowledgements the proxy swallowed can wait long on shutdown; the run is over, so do not.
  await Promise.race([client.shutdown(), new Promise((resolve) => setTimeout(resolve, 2_000))]);
}
process.exit(0);

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { types, type Client } from 'cassandra-driver';
import { PipelineNode } from '../../compiler/ir/index.ts';
import { cassandraRepairTarget, plain } from '../../connectors/cassandra/repair-target.ts';
import { schemaCql, tableSchemas } from '../../connectors/cassandra/cql-schema.ts';
import { systemOfRecordEntries } from '../../connectors/cassandra/sor-reader.ts';
import { produceLines } from '../../connectors/kafka/produce.ts';
import { FileCheckpoints } from '../../runners/local/checkpoint.ts';
import type { CampaignTarget } from './run-schedule.ts';
import type { PipelineShape } from './schedule.ts';
import { campaignSender } from './socket-sender.ts';
import { cassandraConnector } from '../../connectors/cassandra/connector.ts';

/** One set of tables a pipeline shape and worker slot, made once and truncated before each schedule (thousands of tables would swamp a small Cassandra). */
const shapeSuffix = (s: PipelineShape) => `${s.window}_${s.emit}_${s.eventTimeFirst ? 'tf' : 'af'}`;

async function selectAll(client: Client, table: string): Promise<types.Row[]> {
  const rows: types.Row[] = [];
  for await (const row of client.stream(`SELECT * FROM ${table}`, [], {
    prepare: true,
    fetchSize: 5_000,
  }) as unknown as AsyncIterable<types.Row>)
    rows.push(row);
  return rows;
}

/** One Kafka admin request on a connection of its own. */
async function withAdmin<T>(brokers: readonly string[], request: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = new Kafka({ clientId: 'idemflow-campaign', brokers: [...brokers], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    return await request(admin);
  } finally {
    await admin.disconnect();
  }
}

/**
 * The campaign on the real servers: the input is a Kafka topic of its own
 * (two partitions), the system of record and the aggregates are Cassandra
 * tables, the runner's checkpoints and dead letters live in `dir`.
 */
export function cassandraTarget(options: {
  client: Client;
  contactPoint: string;
  keyspace: string;
  brokers: readonly string[];
  dir: string;
  runId: string;
  slot: number;
}): CampaignTarget {
  const { client, keyspace, brokers } = options;
  const made = new Set<string>();
  let topic: string | undefined;
  let sender: Awaited<ReturnType<typeof campaignSender>> | undefined;
  let n = 0;
  return {
    get storeDir() {
      return join(options.dir, `store-${n}`);
    },
    get checkpointDir() {
      return join(options.dir, `checkpoint-${n}`);
    },
    runOptions: { targets: [cassandraConnector(client)] },
    cassandraContactPoint: options.contactPoint,
    async place(s, events) {
      n++;
      const cassandra = { keyspace, suffix: `${shapeSuffix(s.shape)}_${options.slot}` };
      const lines = events.map((e) => JSON.stringify(e));
      topic = undefined;
      if (s.shape.input === 'socket') {
        sender = await campaignSender(events);
        return { socket: { port: sender.port, walDir: join(options.dir, `wal-${n}`) }, cassandra };
      }
      if (s.shape.input === 'file') {
        mkdirSync(options.dir, { recursive: true });
        const file = join(options.dir, `input-${n}.jsonl`);
        writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
        return { file, cassandra };
      }
      topic = `campaign-${options.runId}-${options.slot}-${n}`;
      await produceLines(brokers, topic, lines);
      return { kafka: { brokers, topic, groupId: topic }, cassandra };
    },
    async prepare(pipeline) {
      for (const schema of tableSchemas(pipeline)) {
        const name = `${schema.keyspace}.${schema.table}`;
        if (!made.has(name)) {
          for (const cql of schemaCql([schema])) await client.execute(cql);
          made.add(name);
        }
        await client.execute(`TRUNCATE ${name}`);
      }
    },
    async unread(pipelineName) {
      if (!topic) return false;
      const position = new FileCheckpoints(this.checkpointDir).load(pipelineName)?.position as
        Record<string, number> | undefined;
      const ends = await withAdmin(brokers, (admin) => admin.fetchTopicOffsets(topic!));
      return ends.some((p) => (position?.[p.partition] ?? 0) < Number(p.high));
    },
    async cleanUp() {
      await sender?.close();
      sender = undefined;
      for (const dir of [`store-${n}`, `checkpoint-${n}`, `input-${n}.jsonl`, `wal-${n}`])
        rmSync(join(options.dir, dir), { recursive: true, force: true });
      if (!topic) return;
      await withAdmin(brokers, (admin) => admin.deleteTopics({ topics: [topic!] }));
    },
    async rows(pipeline) {
      const sink = pipeline.sink;
      const windowed = sink.key.length > 1;
      const rows = await selectAll(client, `${sink.keyspace}.${sink.table}`);
      return new Map(
        rows.map((r) => [
          JSON.stringify(windowed ? [r.get('s'), plain(r.get('ts'))] : [r.get('s')]),
          Number(plain(r.get('n'))),
        ]),
      );
    },
    async archivedIds(pipeline) {
      const sor = PipelineNode.systemsOfRecord(pipeline)[0]!;
      // As repair and every reader see them: a block layout may hold copies a replay cut differently, read once each.
      const ids: string[] = [];
      for await (const { eventId } of systemOfRecordEntries(client, sor.keyspace!, sor.table!)) ids.push(eventId);
      return ids;
    },
    repairTarget: (pipeline) => cassandraRepairTarget(client, pipeline),
  };
}

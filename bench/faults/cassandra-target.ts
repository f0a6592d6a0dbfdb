import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { types, type Client } from 'cassandra-driver';
import { PipelineNode } from '../../compiler/ir/index.ts';
import { cassandraRepairTarget, plain } from '../../connectors/cassandra/repair-target.ts';
import { schemaCql, tableSchemas } from '../../connectors/cassandra/cql-schema.ts';
import { systemOfRecordEntries } from '../../connectors/cassandra/sor-reader.ts';
import { newSorLayout, sorTableCql, type SorLayout } from '../../connectors/cassandra/sor-layout.ts';
import { produceLines } from '../../connectors/kafka/produce.ts';
import { diskCheckpointLayout, FileCheckpoints, type CheckpointHead } from '../../runners/local/checkpoint.ts';
import { DiskCheckpoints } from '../../runners/local/disk-checkpoints.ts';
import { loadLmdb } from '../../runners/local/state-store.ts';
import { readJson } from '../../runners/local/checkpoint-side-files.ts';
import type { CampaignTarget } from './run-schedule.ts';
import type { PipelineShape, Schedule } from './schedule.ts';
import type { Placement } from './pipelines.ts';
import type { SensorEvent } from '../../dsl/index.ts';
import type { RepairTarget } from '../../runners/local/index.ts';
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

export interface CassandraTargetOptions {
  readonly client: Client;
  readonly contactPoint: string;
  readonly keyspace: string;
  readonly brokers: readonly string[];
  readonly dir: string;
  readonly runId: string;
  readonly slot: number;
  /**
   * The layout the system-of-record table is made in: `deflated-blocks` (what idemflow makes), or `blocks`
   * or `rows` (what older versions made; the writer and every reader then keep to it), so the campaign holds
   * over each.
   */
  readonly sorLayout?: SorLayout;
}

/**
 * The campaign on the real servers: the input is a Kafka topic of its own
 * (two partitions), the system of record and the aggregates are Cassandra
 * tables, the runner's checkpoints and dead letters live in `dir`.
 */
export function cassandraTarget(options: CassandraTargetOptions): CampaignTarget {
  return new CassandraCampaignTarget(options);
}

class CassandraCampaignTarget implements CampaignTarget {
  readonly #options: CassandraTargetOptions;
  readonly #made = new Set<string>();
  #topic: string | undefined;
  #sender: Awaited<ReturnType<typeof campaignSender>> | undefined;
  /** The schedule's number: its folders and topic are named after it. */
  #n = 0;
  readonly runOptions: CampaignTarget['runOptions'];
  readonly cassandraContactPoint: string;

  constructor(options: CassandraTargetOptions) {
    this.#options = options;
    this.runOptions = { targets: [cassandraConnector(options.client)] };
    this.cassandraContactPoint = options.contactPoint;
  }

  get storeDir(): string {
    return join(this.#options.dir, `store-${this.#n}`);
  }

  get checkpointDir(): string {
    return join(this.#options.dir, `checkpoint-${this.#n}`);
  }

  async place(s: Schedule, events: readonly SensorEvent[]): Promise<Placement> {
    const { dir, keyspace, brokers, slot, runId } = this.#options;
    const n = ++this.#n;
    const cassandra = { keyspace, suffix: `${shapeSuffix(s.shape)}_${slot}` };
    const lines = events.map((e) => JSON.stringify(e));
    this.#topic = undefined;
    if (s.shape.input === 'socket') {
      this.#sender = await campaignSender(events);
      return { socket: { port: this.#sender.port, walDir: join(dir, `wal-${n}`) }, cassandra };
    }
    if (s.shape.input === 'file') {
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `input-${n}.jsonl`);
      writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
      return { file, cassandra };
    }
    const topic = `campaign-${runId}-${slot}-${n}`;
    this.#topic = topic;
    await produceLines(brokers, topic, lines);
    return { kafka: { brokers, topic, groupId: topic }, cassandra };
  }

  async prepare(pipeline: PipelineNode): Promise<void> {
    const { client } = this.#options;
    const sor = PipelineNode.systemsOfRecord(pipeline)[0];
    const layout = this.#options.sorLayout ?? newSorLayout;
    for (const schema of tableSchemas(pipeline)) {
      const name = `${schema.keyspace}.${schema.table}`;
      if (!this.#made.has(name)) {
        const isSor = schema.keyspace === sor?.keyspace && schema.table === sor.table;
        const made = isSor ? [sorTableCql(schema.keyspace, schema.table, layout)] : schemaCql([schema]);
        for (const cql of made) await client.execute(cql);
        this.#made.add(name);
      }
      await client.execute(`TRUNCATE ${name}`);
    }
  }

  async unread(pipelineName: string): Promise<boolean> {
    const topic = this.#topic;
    if (!topic) return false;
    const position = (await checkpointHead(this.checkpointDir, pipelineName))?.position as
      Record<string, number> | undefined;
    const ends = await withAdmin(this.#options.brokers, (admin) => admin.fetchTopicOffsets(topic));
    return ends.some((p) => (position?.[p.partition] ?? 0) < Number(p.high));
  }

  async cleanUp(): Promise<void> {
    const n = this.#n;
    await this.#sender?.close();
    this.#sender = undefined;
    for (const dir of [`store-${n}`, `checkpoint-${n}`, `input-${n}.jsonl`, `wal-${n}`])
      rmSync(join(this.#options.dir, dir), { recursive: true, force: true });
    const topic = this.#topic;
    if (!topic) return;
    await withAdmin(this.#options.brokers, (admin) => admin.deleteTopics({ topics: [topic] }));
  }

  async rows(pipeline: PipelineNode): Promise<Map<string, number>> {
    const sink = pipeline.sink;
    const windowed = sink.key.length > 1;
    const rows = await selectAll(this.#options.client, `${sink.keyspace}.${sink.table}`);
    return new Map(
      rows.map((r) => [
        JSON.stringify(windowed ? [r.get('s'), plain(r.get('ts'))] : [r.get('s')]),
        Number(plain(r.get('n'))),
      ]),
    );
  }

  async archivedIds(pipeline: PipelineNode): Promise<string[]> {
    const sor = PipelineNode.systemsOfRecord(pipeline)[0]!;
    // As repair and every reader see them: a block layout may hold copies a replay cut differently, read once each.
    const ids: string[] = [];
    for await (const { eventId } of systemOfRecordEntries(this.#options.client, sor.keyspace!, sor.table!))
      ids.push(eventId);
    return ids;
  }

  repairTarget(pipeline: PipelineNode): RepairTarget {
    return cassandraRepairTarget(this.#options.client, pipeline);
  }
}

/**
 * The head of a stream's checkpoint in either layout: a `--state disk` folder is read through the store its
 * checkpoint.json names (the file layout refuses such a folder, which made the campaign's Kafka + disk schedules fail).
 */
export async function checkpointHead(dir: string, pipelineName: string): Promise<CheckpointHead | undefined> {
  if (readJson<{ layout?: string }>(join(dir, 'checkpoint.json'))?.layout !== diskCheckpointLayout)
    return new FileCheckpoints(dir).load(pipelineName);
  const files = DiskCheckpoints.openNamed(await loadLmdb(), dir, pipelineName);
  try {
    return files.head(pipelineName);
  } finally {
    await files.close();
  }
}

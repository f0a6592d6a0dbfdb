import { Kafka, logLevel, type Admin, type KafkaConfig, type SASLOptions } from 'kafkajs';
import { ConsumerClient } from './consumer-client.ts';
import type { ConsumerThreadInput, FetchedBatch } from './consumer-protocol.ts';
import { PartitionBuffer } from './partition-buffer.ts';
import { connectWithBackoff } from '../connect-with-backoff.ts';
import { loadCredentials, type Credentials } from '../credentials.ts';
import { isEnabled, tlsConnectionOptions } from '../tls-settings.ts';
import { permanentKafkaFailure } from './connect-error.ts';
import { RunnerError } from '../../runtime/runner-error.ts';
import { recordedMember, recordMember, removeDeadPredecessor } from './predecessor.ts';
import type { SourceReader } from '../../runtime/sources/source-reader.ts';

/**
 * The kafkajs client settings: SASL and TLS each only when configured (IDEMFLOW_KAFKA_SASL_*, IDEMFLOW_KAFKA_TLS_*).
 * SASL without TLS is refused (see saslWithoutTls) unless IDEMFLOW_KAFKA_ALLOW_PLAINTEXT_SASL says otherwise.
 */
export function kafkaClientConfig(
  clientId: string,
  brokers: readonly string[],
  credentials: Credentials = loadCredentials(),
  env: NodeJS.ProcessEnv = process.env,
): KafkaConfig {
  const { kafka, kafkaTls } = credentials;
  if (kafka && !kafkaTls && !isEnabled(env.IDEMFLOW_KAFKA_ALLOW_PLAINTEXT_SASL))
    throw new RunnerError(saslWithoutTls(kafka.sasl.mechanism, brokers));
  return {
    clientId,
    brokers: [...brokers],
    logLevel: logLevel.NOTHING,
    retry: { retries: 2, initialRetryTime: 200 },
    ...(kafka ? { sasl: { ...kafka.sasl } as SASLOptions } : {}),
    ssl: kafkaTls ? tlsConnectionOptions('kafka', kafkaTls) : false,
  };
}

/** Why SASL over plain TCP is refused: what an eavesdropper on the network between here and the brokers gets. */
function saslWithoutTls(mechanism: string, brokers: readonly string[]): string {
  const exposed =
    mechanism === 'plain'
      ? 'the password itself in clear text'
      : 'the SCRAM exchange (open to offline guessing of the password)';
  return `Kafka SASL (${mechanism}) is configured without TLS: every connection to ${brokers.join(',')} would send ${exposed} and every record unencrypted. Turn TLS on (IDEMFLOW_KAFKA_TLS_CA, or IDEMFLOW_KAFKA_TLS=true for brokers with public certificates; docs/connectors.md), or, on a network you trust, set IDEMFLOW_KAFKA_ALLOW_PLAINTEXT_SASL=1`;
}

/** Partition → the next offset to read: what checkpoints store and what is committed to Kafka. */
export type KafkaPosition = Readonly<Record<string, number>>;

export interface KafkaInputOptions {
  readonly brokers: readonly string[];
  readonly topic: string;
  readonly groupId: string;
  readonly log: (line: string) => void;
  /** Messages buffered before the consumer pauses (backpressure); as many again may wait between the threads. */
  readonly maxBuffered?: number;
  /** The most one fetch brings per partition (default 4 MiB). */
  readonly fetchBytes?: number;
  /** Connection attempts before the run fails (default 10), with doubling backoff from 500 ms. */
  readonly attempts?: number;
  /**
   * The pipeline keeps aggregation state, which lives in this runner (its
   * checkpoint) and does not move with a partition: refuse to start in a
   * group where another member holds some of the topic's partitions.
   */
  readonly exclusive?: boolean;
  /**
   * Commit checkpointed offsets to the group (default true). Only when the
   * checkpoint is durable: with the run's state in memory, committed offsets
   * would send a restart past records whose aggregates died with the process.
   */
  readonly commitOffsets?: boolean;
  /**
   * Where this runner records its group member id (beside its checkpoint):
   * a restart removes the member its killed predecessor left in the group
   * instead of waiting for that member's session to time out.
   */
  readonly memberFile?: string;
}

/**
 * A Kafka topic read the way the seed's Direct API reads it: the runner,
 * not Kafka, owns the offsets. They are part of the runner's checkpoint and
 * committed to Kafka only after the sinks acknowledged the batch; on a
 * restart or a replay the consumer seeks back to them.
 *
 * The kafkajs consumer runs in a worker thread (consumer-thread.ts, driven
 * by consumer-client.ts), which fetches; this side keeps the records and the
 * offsets (partition-buffer.ts), joins the group and hands out readers.
 */
export class KafkaInput {
  readonly #kafka: Kafka;
  readonly #admin: Admin;
  readonly #consumer: ConsumerClient;
  readonly #buffer: PartitionBuffer;
  /** Waiting in start() for the group to assign partitions. */
  #onJoin: { resolve: () => void; reject: (error: Error) => void } | undefined;
  /** How many partitions the topic has (known once started). */
  #partitions = 0;
  /** The consumer thread's client settings, read once: the admin client uses the same with its own id. */
  readonly #client: KafkaConfig;

  constructor(readonly options: KafkaInputOptions) {
    this.#client = kafkaClientConfig(`idemflow-${options.groupId}`, options.brokers);
    this.#kafka = new Kafka({ ...this.#client, clientId: `idemflow-${options.groupId}-admin` });
    this.#admin = this.#kafka.admin();
    this.#consumer = new ConsumerClient(options.topic, {
      batch: (batch) => this.#accept(batch),
      joined: (partitions, memberId) => this.#joined(partitions, memberId),
      failed: (error) => this.#onJoin?.reject(error),
      log: options.log,
    });
    this.#buffer = new PartitionBuffer(options.maxBuffered ?? 100_000, (command) => this.#consumer.send(command));
  }

  get brokers(): string {
    return this.options.brokers.join(',');
  }

  /** Records fetched and not yet handed out: at most about twice `maxBuffered`, plus one fetch. */
  get buffered(): number {
    return this.#buffer.buffered;
  }

  check(): void {
    this.#consumer.check();
  }

  /** A fetched batch: the thread is told it was taken off the queue, whatever the buffer keeps of it. */
  #accept(batch: FetchedBatch): void {
    this.#consumer.send({ type: 'taken', count: batch.offsets.length });
    this.#buffer.accept(batch);
  }

  #joined(partitions: readonly number[], memberId: string): void {
    const { memberFile, groupId, exclusive, log } = this.options;
    if (memberFile) recordMember(memberFile, { groupId, memberId });
    this.assigned(partitions);
    if (this.#onJoin) this.#onJoin.resolve();
    else if (exclusive && partitions.length < this.#partitions)
      log(
        `source.kafka: a rebalance of group ${groupId} left this runner partitions [${partitions.join(', ')}]; another member joined it (run one instance per group: see docs/connectors.md)`,
      );
  }

  /** Connects, joins the group and learns where each assigned partition starts and ends: then reading may begin. */
  async start(): Promise<void> {
    const { topic, groupId } = this.options;
    this.#consumer.start({
      client: this.#client,
      topic,
      groupId,
      maxInFlight: this.#buffer.maxBuffered,
      fetchBytes: this.options.fetchBytes ?? 4 * 1024 * 1024,
    } satisfies ConsumerThreadInput);
    await this.#connect();
    await this.#join();
    await this.#startPositions();
  }

  async #connect(): Promise<void> {
    // The admin client first: its errors keep their codes (the thread's arrive as text), which tell TLS and login failures.
    const connect = async () => {
      await this.#admin.connect();
      await this.#consumer.call({ type: 'connect' });
    };
    await connectWithBackoff(connect, {
      what: `source.kafka: cannot reach brokers ${this.brokers}`,
      attempts: this.options.attempts ?? 10,
      firstWaitMs: 500,
      maxWaitMs: 10_000,
      hint: `are they running? (scripts/services up)${this.#client.ssl ? '' : '; if they require TLS, set IDEMFLOW_KAFKA_TLS_CA (docs/connectors.md)'}`,
      log: this.options.log,
      permanent: (error) => {
        const why = permanentKafkaFailure(error, this.#client);
        return why && `source.kafka: ${why}`;
      },
    });
  }

  /** Ready once the group has assigned partitions: before that, silence is not idleness. */
  async #join(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const joined = new Promise<void>((resolve, reject) => {
      const late = `source.kafka: consumer group ${this.options.groupId} did not join within 60 s (brokers ${this.brokers})`;
      timer = setTimeout(() => reject(new RunnerError(late)), 60_000);
      this.#onJoin = { resolve, reject };
    });
    // Awaited below; until then a failure must not count as unhandled.
    joined.catch(() => {});
    let joining = true;
    const removal = this.#removePredecessor(() => joining);
    try {
      await this.#consumer.call({ type: 'run' });
      await joined;
    } finally {
      joining = false;
      clearTimeout(timer);
      this.#onJoin = undefined;
      await removal;
    }
  }

  /** Where each partition starts (committed group offset, else the log start) and ends: what is still to read. */
  async #startPositions(): Promise<void> {
    const { topic, groupId } = this.options;
    const [ends, committed] = await Promise.all([
      this.#admin.fetchTopicOffsets(topic),
      this.#admin.fetchOffsets({ groupId, topics: [topic] }),
    ]);
    this.#partitions = ends.length;
    const missing = ends.map((p) => p.partition).filter((p) => !this.#buffer.assignment?.has(p));
    if (this.options.exclusive && missing.length > 0) {
      throw new RunnerError(
        `source.kafka: consumer group ${groupId} has another member, which holds partitions [${missing.join(', ')}] of ${topic}; this pipeline aggregates, and its state lives in one runner, so two runners in one group would overwrite each other's rows with partial aggregates. Stop the other runner, or give this one its own groupId`,
      );
    }
    if (this.options.commitOffsets === false)
      this.options.log(
        `source.kafka: without --checkpoint, offsets are not committed to consumer group ${groupId}: this run's state dies with it, so a restart reads ${topic} again from the group's committed offsets (or the start). Run with --checkpoint <dir> to resume where a run stopped`,
      );
    const committedOf = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    const partitions = ends.map((p) => ({ partition: p.partition, low: Number(p.low), high: Number(p.high) }));
    this.#buffer.startAt(partitions, committedOf);
  }

  /**
   * The member a killed predecessor left in the group holds up our join
   * until its session times out (30 s): removed while our join waits (see
   * predecessor.ts). A failed removal costs only that wait, not the run.
   */
  async #removePredecessor(joining: () => boolean): Promise<void> {
    const { memberFile, groupId, log } = this.options;
    const predecessor = memberFile && recordedMember(memberFile, groupId);
    if (!predecessor) return;
    try {
      await removeDeadPredecessor(this.#kafka, this.#admin, groupId, predecessor, log, joining);
    } catch (error) {
      log(
        `source.kafka: could not remove the previous run's member from group ${groupId} (${(error as Error).message}); waiting for its session to time out`,
      );
    }
  }

  /** After a rebalance: what the buffer held of partitions no longer ours is dropped (see PartitionBuffer.assigned). */
  assigned(partitions: readonly number[]): void {
    this.#buffer.assigned(partitions);
  }

  /**
   * A reader from a position: the buffer serves again what it still holds from there, and seeks the
   * consumer for the rest (see PartitionBuffer.rewind).
   */
  reader(from: KafkaPosition | undefined): SourceReader {
    const position = new Map<number, number>(Object.entries(from ?? {}).map(([p, o]) => [Number(p), o]));
    this.#buffer.rewind(position);
    const topic = this.options.topic;
    return {
      read: async (max) => {
        this.check();
        const { values, partitions, offsets } = this.#buffer.take(max, position);
        return {
          values,
          position: (i) => `${topic}/${partitions[i]}/${offsets[i]}`,
          split: (i) => partitions[i]!,
          pendingSplits: () => this.#buffer.pending(),
          done: false,
        };
      },
      position: () => Object.fromEntries(position),
      // Committed only once the checkpoint that covers them is durable: Kafka's group offsets trail the runner's.
      checkpointed: (p) => {
        const done = p as KafkaPosition;
        this.#buffer.checkpointed(done);
        if (this.options.commitOffsets === false) return;
        void this.commit(done).catch((error: Error) =>
          this.options.log(
            `source.kafka: committing offsets failed (${error.message}); the checkpoint still holds them`,
          ),
        );
      },
      close: async () => {},
    };
  }

  /** Commits a position (next offset per partition) as the group's offsets. */
  async commit(position: KafkaPosition): Promise<void> {
    const offsets = Object.entries(position).map(([partition, offset]) => ({ partition: Number(partition), offset }));
    if (offsets.length > 0) await this.#consumer.call({ type: 'commit', offsets });
  }

  /** The end of each assigned partition's log now: where a bounded read of the topic stops. */
  async endOffsets(): Promise<Map<number, number>> {
    const ends = await this.#admin.fetchTopicOffsets(this.options.topic);
    return new Map(ends.filter((p) => this.#buffer.owns(p.partition)).map((p) => [p.partition, Number(p.high)]));
  }

  /** The first offset each partition of the topic still holds: records below it were deleted (retention) and cannot be read again. */
  async startOffsets(): Promise<Map<number, number>> {
    const offsets = await this.#admin.fetchTopicOffsets(this.options.topic);
    return new Map(offsets.map((p) => [p.partition, Number(p.low)]));
  }

  /** True once every record below `ends` (per partition) has been handed out by a reader. */
  handedOutUpTo(ends: ReadonlyMap<number, number>): boolean {
    return this.#buffer.handedOutUpTo(ends);
  }

  /** Leaves the group (so a successor gets the partitions at once) and stops the consumer thread. */
  async close(): Promise<void> {
    await this.#consumer.close();
    await this.#admin.disconnect().catch(() => {});
  }
}

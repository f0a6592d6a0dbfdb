import { Kafka, logLevel, type Admin, type Consumer, type KafkaConfig, type SASLOptions } from 'kafkajs';
import { connectWithBackoff } from '../connect-with-backoff.ts';
import { loadCredentials, type Credentials } from '../credentials.ts';
import { RunnerError } from '../../runners/runner-error.ts';
import type { SourceReader } from '../../runners/local/sources/source-reader.ts';

/** The kafkajs client settings: SASL (and TLS) only when credentials are configured. */
export function kafkaClientConfig(clientId: string, brokers: readonly string[], credentials: Credentials = loadCredentials()): KafkaConfig {
  const kafka = credentials.kafka;
  return {
    clientId,
    brokers: [...brokers],
    logLevel: logLevel.NOTHING,
    retry: { retries: 2, initialRetryTime: 200 },
    ...(kafka ? { sasl: { ...kafka.sasl } as SASLOptions, ssl: kafka.ssl ?? false } : {}),
  };
}

/** Partition → the next offset to read: what checkpoints store and what is committed to Kafka. */
export type KafkaPosition = Readonly<Record<string, number>>;

export interface KafkaInputOptions {
  readonly brokers: readonly string[];
  readonly topic: string;
  readonly groupId: string;
  readonly log: (line: string) => void;
  /** Messages buffered before the consumer pauses (backpressure). */
  readonly maxBuffered?: number;
  /** Connection attempts before the run fails (default 10), with doubling backoff from 500 ms. */
  readonly attempts?: number;
}

interface Buffered {
  readonly partition: number;
  readonly offset: number;
  readonly value: string;
}

/**
 * A Kafka topic read the way the seed's Direct API reads it: the runner,
 * not Kafka, owns the offsets. They are part of the runner's checkpoint and
 * committed to Kafka only after the sinks acknowledged the batch; on a
 * restart or a replay the consumer seeks back to them.
 */
export class KafkaInput {
  readonly #consumer: Consumer;
  readonly #admin: Admin;
  readonly #buffer: Buffered[] = [];
  /** Per partition, the end of the log as last seen (Kafka's high-water mark). */
  readonly #high = new Map<number, number>();
  /** Partitions of the topic assigned to us by the last rebalance. */
  #assignment: Set<number> | undefined;
  /** Per partition, the lowest offset still to buffer: each offset is buffered once, even across seeks. */
  readonly #nextToBuffer = new Map<number, number>();
  #paused = false;
  /** Records handed out since the last checkpoint, in order: what a replay serves again. */
  #handedOut: { partition: number; offset: number; value: string }[] = [];
  #failure: Error | undefined;

  constructor(readonly options: KafkaInputOptions) {
    const kafka = new Kafka(kafkaClientConfig(`idemflow-${options.groupId}`, options.brokers));
    this.#admin = kafka.admin();
    // A short fetch wait: after a backpressure pause, kafkajs otherwise idles for its default 5 s before fetching again.
    this.#consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: 30_000,
      rebalanceTimeout: 30_000,
      heartbeatInterval: 3_000,
      allowAutoTopicCreation: true,
      maxWaitTimeInMs: 100,
      maxBytesPerPartition: 4 * 1024 * 1024,
    });
  }

  get brokers(): string {
    return this.options.brokers.join(',');
  }

  check(): void {
    if (this.#failure) throw this.#failure;
  }

  async start(): Promise<void> {
    await connectWithBackoff(
      async () => {
        await this.#admin.connect();
        await this.#consumer.connect();
      },
      { what: `source.kafka: cannot reach brokers ${this.brokers}`, attempts: this.options.attempts ?? 10, firstWaitMs: 500, maxWaitMs: 10_000, hint: 'are they running? (scripts/services up)', log: this.options.log },
    );
    await this.#consumer.subscribe({ topic: this.options.topic, fromBeginning: true });
    // kafkajs restarts itself after retriable errors (a coordinator still loading, a rebalance): only a crash it gives up on is ours.
    this.#consumer.on(this.#consumer.events.CRASH, ({ payload }) => {
      if (payload.restart) this.options.log(`source.kafka: consumer restarting after: ${payload.error.message}`);
      else this.#failure = new RunnerError(`source.kafka: consumer for ${this.options.topic} failed: ${payload.error.message}`);
    });
    // Ready once the group has assigned partitions: before that, silence is not idleness.
    const joined = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new RunnerError(`source.kafka: consumer group ${this.options.groupId} did not join within 60 s (brokers ${this.brokers})`)), 60_000);
      this.#consumer.on(this.#consumer.events.GROUP_JOIN, ({ payload }) => {
        clearTimeout(timer);
        this.assigned(payload.memberAssignment[this.options.topic] ?? []);
        resolve();
      });
    });
    await this.#consumer.run({
      // Resolving moves kafkajs's fetch position past what we buffered; committing stays ours (after checkpoints).
      autoCommit: false,
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch }) => {
        const partition = batch.partition;
        this.#high.set(partition, Number(batch.highWatermark));
        for (const message of batch.messages) {
          const offset = Number(message.offset);
          if (offset < (this.#nextToBuffer.get(partition) ?? 0)) continue;
          this.#nextToBuffer.set(partition, offset + 1);
          this.#buffer.push({ partition, offset, value: message.value?.toString('utf8') ?? '' });
        }
        if (!this.#paused && this.#buffer.length >= (this.options.maxBuffered ?? 100_000)) {
          this.#paused = true;
          this.#consumer.pause([{ topic: this.options.topic }]);
        }
      },
    });
    await joined;
    // Where each partition starts (committed group offset, else the log start) and ends: what is still to read.
    const [ends, committed] = await Promise.all([
      this.#admin.fetchTopicOffsets(this.options.topic),
      this.#admin.fetchOffsets({ groupId: this.options.groupId, topics: [this.options.topic] }),
    ]);
    const committedOf = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    for (const p of ends) {
      if (this.#assignment && !this.#assignment.has(p.partition)) continue;
      if (!this.#high.has(p.partition)) this.#high.set(p.partition, Number(p.high));
      const start = committedOf.get(p.partition);
      if (!this.#nextToBuffer.has(p.partition)) this.#nextToBuffer.set(p.partition, start !== undefined && start >= 0 ? start : Number(p.low));
    }
  }

  /**
   * After a rebalance: records buffered from partitions that are no longer
   * ours are dropped (their new owner reads them from the committed offsets),
   * and the watermark stops waiting for them. A partition given back to us
   * resumes from Kafka's committed offset, which trails our checkpoint; the
   * buffer-once rule skips what we already handed out.
   */
  assigned(partitions: readonly number[]): void {
    const ours = new Set(partitions);
    this.#assignment = ours;
    for (let i = this.#buffer.length - 1; i >= 0; i--) if (!ours.has(this.#buffer[i]!.partition)) this.#buffer.splice(i, 1);
    for (const p of [...this.#high.keys()]) if (!ours.has(p)) this.#high.delete(p);
  }

  /** Partitions with records not yet handed out: the watermark must wait for them. */
  #pending(): number[] {
    const buffered = new Set(this.#buffer.map((m) => m.partition));
    return [...this.#high].filter(([p, high]) => buffered.has(p) || (this.#nextToBuffer.get(p) ?? 0) < high).map(([p]) => p);
  }

  /**
   * A reader from a position. A replay after a failed batch is served from
   * the records handed out since the last checkpoint, which this input keeps:
   * seeking Kafka back instead would race with fetches already in flight past
   * the checkpoint, whose records the buffer-once rule would then skip for
   * good (a real loss, found by the strategy benchmark). Only positions older
   * than what is kept (a restart in a new process) seek the consumer.
   */
  reader(from: KafkaPosition | undefined): SourceReader {
    const position = new Map<number, number>(Object.entries(from ?? {}).map(([p, o]) => [Number(p), o]));
    // A partition the position does not name had nothing checkpointed: all of it handed out comes again.
    const replay = this.#handedOut.filter((m) => !position.has(m.partition) || m.offset >= position.get(m.partition)!);
    for (const [partition, offset] of position) {
      const kept = this.#handedOut.some((m) => m.partition === partition && m.offset === offset) || (this.#nextToBuffer.get(partition) === offset && !this.#buffer.some((m) => m.partition === partition && m.offset < offset));
      if (kept) continue;
      this.#nextToBuffer.set(partition, offset);
      for (let i = this.#buffer.length - 1; i >= 0; i--) if (this.#buffer[i]!.partition === partition) this.#buffer.splice(i, 1);
      for (let i = replay.length - 1; i >= 0; i--) if (replay[i]!.partition === partition) replay.splice(i, 1);
      this.#consumer.seek({ topic: this.options.topic, partition, offset: String(offset) });
    }
    this.#handedOut = [];
    this.#buffer.unshift(...replay);
    const topic = this.options.topic;
    return {
      read: async (max) => {
        this.check();
        const taken = this.#buffer.splice(0, max);
        for (const m of taken) position.set(m.partition, m.offset + 1);
        this.#handedOut.push(...taken);
        if (this.#paused && this.#buffer.length < (this.options.maxBuffered ?? 100_000) / 2) {
          this.#paused = false;
          this.#consumer.resume([{ topic }]);
        }
        return { values: taken.map((m) => m.value), position: (i) => `${topic}/${taken[i]!.partition}/${taken[i]!.offset}`, split: (i) => taken[i]!.partition, pendingSplits: () => this.#pending(), done: false };
      },
      position: () => Object.fromEntries(position),
      // Committed only once the checkpoint that covers them is durable: Kafka's group offsets trail the runner's.
      checkpointed: (p) => {
        const done = p as KafkaPosition;
        // What a checkpoint covers is never replayed again: stop keeping it.
        this.#handedOut = this.#handedOut.filter((m) => m.offset >= (done[m.partition] ?? 0));
        void this.commit(done).catch((error: Error) => this.options.log(`source.kafka: committing offsets failed (${error.message}); the checkpoint still holds them`));
      },
      close: async () => {},
    };
  }

  /** Commits a position (next offset per partition) as the group's offsets. */
  async commit(position: KafkaPosition): Promise<void> {
    const offsets = Object.entries(position).map(([partition, offset]) => ({ topic: this.options.topic, partition: Number(partition), offset: String(offset) }));
    if (offsets.length > 0) await this.#consumer.commitOffsets(offsets);
  }

  /** The end of each assigned partition's log now: where a bounded read of the topic stops. */
  async endOffsets(): Promise<Map<number, number>> {
    const ends = await this.#admin.fetchTopicOffsets(this.options.topic);
    return new Map(ends.filter((p) => !this.#assignment || this.#assignment.has(p.partition)).map((p) => [p.partition, Number(p.high)]));
  }

  /** True once every record below `ends` (per partition) has been handed out by a reader. */
  handedOutUpTo(ends: ReadonlyMap<number, number>): boolean {
    for (const [partition, end] of ends) {
      if ((this.#nextToBuffer.get(partition) ?? 0) < end) return false;
      if (this.#buffer.some((m) => m.partition === partition && m.offset < end)) return false;
    }
    return true;
  }

  async close(): Promise<void> {
    await Promise.all([this.#consumer.disconnect().catch(() => {}), this.#admin.disconnect().catch(() => {})]);
  }
}

import type { Worker } from 'node:worker_threads';
import { Kafka, logLevel, type Admin, type KafkaConfig, type SASLOptions } from 'kafkajs';
import { siblingModule, startTsWorker } from '../ts-worker.ts';
import type {
  ConsumerCommand,
  ConsumerEvent,
  ConsumerRequest,
  ConsumerThreadInput,
  FetchedBatch,
} from './consumer-protocol.ts';
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

/** Consecutive records of one partition, in offset order: how fetches arrive and how the buffer keeps them. */
interface Chunk {
  readonly partition: number;
  readonly offsets: Float64Array;
  readonly values: readonly string[];
}

const chunkSlice = (c: Chunk, from: number, to = c.offsets.length): Chunk => ({
  partition: c.partition,
  offsets: c.offsets.subarray(from, to),
  values: c.values.slice(from, to),
});

/** The index of the first offset ≥ `offset` (offsets increase within a chunk); the length when none is. */
function firstAtOrAfter(offsets: Float64Array, offset: number): number {
  let lo = 0;
  let hi = offsets.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (offsets[mid]! < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The part of a chunk at or after a partition's offset: the chunk itself, a slice, or nothing. */
function fromOffset(c: Chunk, offset: number): Chunk | undefined {
  const i = firstAtOrAfter(c.offsets, offset);
  return i === 0 ? c : i < c.offsets.length ? chunkSlice(c, i) : undefined;
}

/**
 * A Kafka topic read the way the seed's Direct API reads it: the runner,
 * not Kafka, owns the offsets. They are part of the runner's checkpoint and
 * committed to Kafka only after the sinks acknowledged the batch; on a
 * restart or a replay the consumer seeks back to them.
 *
 * The kafkajs consumer runs in a worker thread (consumer-thread.ts), which
 * fetches and decodes; this side keeps the buffer, the offsets and the
 * group's assignment.
 */
export class KafkaInput {
  readonly #kafka: Kafka;
  readonly #admin: Admin;
  #thread: Worker | undefined;
  #closing = false;
  readonly #calls = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  #nextCall = 1;
  /** Waiting in start() for the group to assign partitions. */
  #onJoin: { resolve: () => void; reject: (error: Error) => void } | undefined;
  #buffer: Chunk[] = [];
  #buffered = 0;
  /** Per partition, the end of the log as last seen (Kafka's high-water mark). */
  readonly #high = new Map<number, number>();
  /** Partitions of the topic assigned to us by the last rebalance. */
  #assignment: Set<number> | undefined;
  /** Per partition, the lowest offset still to buffer: each offset is buffered once, even across seeks. */
  readonly #nextToBuffer = new Map<number, number>();
  /**
   * Per partition, how many seeks this input asked for. A batch fetched
   * before the latest seek may lie anywhere past it: accepted, it would move
   * `#nextToBuffer` over the records between the seek and itself, which were
   * then skipped for good (found by test/integration/kafka-seek.test.ts).
   */
  readonly #seekEpoch = new Map<number, number>();
  #paused = false;
  /** Records handed out since the last checkpoint, in order: what a replay serves again. */
  #handedOut: Chunk[] = [];
  #failure: Error | undefined;
  /** How many partitions the topic has (known once started). */
  #partitions = 0;

  /** The consumer thread's client settings, read once: the admin client uses the same with its own id. */
  readonly #client: KafkaConfig;

  constructor(readonly options: KafkaInputOptions) {
    this.#client = kafkaClientConfig(`idemflow-${options.groupId}`, options.brokers);
    this.#kafka = new Kafka({ ...this.#client, clientId: `idemflow-${options.groupId}-admin` });
    this.#admin = this.#kafka.admin();
  }

  get brokers(): string {
    return this.options.brokers.join(',');
  }

  get #maxBuffered(): number {
    return this.options.maxBuffered ?? 100_000;
  }

  /** Records fetched and not yet handed out: at most about twice `maxBuffered`, plus one fetch. */
  get buffered(): number {
    return this.#buffered;
  }

  check(): void {
    if (this.#failure) throw this.#failure;
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const call of this.#calls.values()) call.reject(error);
    this.#calls.clear();
    this.#onJoin?.reject(error);
  }

  #send(command: ConsumerCommand): void {
    this.#thread?.postMessage(command);
  }

  /** Sends a command and waits for the consumer thread's answer. */
  #call(request: ConsumerRequest): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (!this.#thread)
      return Promise.reject(new RunnerError(`source.kafka: the input for ${this.options.topic} was not started`));
    const id = this.#nextCall++;
    return new Promise((resolve, reject) => {
      this.#calls.set(id, { resolve, reject });
      this.#send({ ...request, id });
    });
  }

  #onEvent(event: ConsumerEvent): void {
    switch (event.type) {
      case 'batch':
        return this.#accept(event);
      case 'reply': {
        const call = this.#calls.get(event.id);
        this.#calls.delete(event.id);
        if (event.error === undefined) call?.resolve();
        else call?.reject(new Error(event.error));
        return;
      }
      case 'joined':
        if (this.options.memberFile)
          recordMember(this.options.memberFile, { groupId: this.options.groupId, memberId: event.memberId });
        this.assigned(event.partitions);
        if (this.#onJoin) this.#onJoin.resolve();
        else if (this.options.exclusive && event.partitions.length < this.#partitions)
          this.options.log(
            `source.kafka: a rebalance of group ${this.options.groupId} left this runner partitions [${event.partitions.join(', ')}]; another member joined it (run one instance per group: see docs/connectors.md)`,
          );
        return;
      case 'crash':
        if (event.restart) this.options.log(`source.kafka: consumer restarting after: ${event.message}`);
        else this.#fail(new RunnerError(`source.kafka: consumer for ${this.options.topic} failed: ${event.message}`));
        return;
    }
  }

  /**
   * A fetched batch: what was not buffered before joins the buffer; past the
   * limit, the consumer pauses. Dropped: batches from before the partition's
   * latest seek, and of partitions a rebalance took away (fetched before it).
   */
  #accept(batch: FetchedBatch): void {
    const { partition } = batch;
    this.#send({ type: 'taken', count: batch.offsets.length });
    if (batch.epoch !== (this.#seekEpoch.get(partition) ?? 0)) return;
    if (this.#assignment && !this.#assignment.has(partition)) return;
    this.#high.set(partition, batch.high);
    const from = firstAtOrAfter(batch.offsets, this.#nextToBuffer.get(partition) ?? 0);
    if (from === batch.offsets.length) return;
    const text = Buffer.from(batch.bytes);
    const values = new Array<string>(batch.offsets.length - from);
    for (let i = from; i < batch.offsets.length; i++)
      values[i - from] = text.toString('utf8', batch.ends[i - 1] ?? 0, batch.ends[i]);
    const fresh: Chunk = { partition, offsets: batch.offsets.subarray(from), values };
    this.#buffer.push(fresh);
    this.#buffered += fresh.offsets.length;
    this.#nextToBuffer.set(partition, fresh.offsets[fresh.offsets.length - 1]! + 1);
    if (!this.#paused && this.#buffered >= this.#maxBuffered) {
      this.#paused = true;
      this.#send({ type: 'pause' });
    }
  }

  async start(): Promise<void> {
    const { topic, groupId } = this.options;
    const thread = startTsWorker(siblingModule('consumer-thread', import.meta.url), {
      client: this.#client,
      topic,
      groupId,
      maxInFlight: this.#maxBuffered,
      fetchBytes: this.options.fetchBytes ?? 4 * 1024 * 1024,
    } satisfies ConsumerThreadInput);
    this.#thread = thread;
    thread.on('message', (event: ConsumerEvent) => this.#onEvent(event));
    thread.on('error', (error) =>
      this.#fail(new RunnerError(`source.kafka: the consumer thread for ${topic} failed: ${error.message}`)),
    );
    thread.on('exit', (code) => {
      if (!this.#closing)
        this.#fail(new RunnerError(`source.kafka: the consumer thread for ${topic} stopped (exit code ${code})`));
    });
    // The admin client first: its errors keep their codes (the thread's arrive as text), which tell TLS and login failures.
    const connect = async () => {
      await this.#admin.connect();
      await this.#call({ type: 'connect' });
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
    // Ready once the group has assigned partitions: before that, silence is not idleness.
    let timer: NodeJS.Timeout | undefined;
    const joined = new Promise<void>((resolve, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new RunnerError(
              `source.kafka: consumer group ${groupId} did not join within 60 s (brokers ${this.brokers})`,
            ),
          ),
        60_000,
      );
      this.#onJoin = { resolve, reject };
    });
    // Awaited below; until then a failure must not count as unhandled.
    joined.catch(() => {});
    let joining = true;
    const removal = this.#removePredecessor(() => joining);
    try {
      await this.#call({ type: 'run' });
      await joined;
    } finally {
      joining = false;
      clearTimeout(timer);
      this.#onJoin = undefined;
      await removal;
    }
    // Where each partition starts (committed group offset, else the log start) and ends: what is still to read.
    const [ends, committed] = await Promise.all([
      this.#admin.fetchTopicOffsets(topic),
      this.#admin.fetchOffsets({ groupId, topics: [topic] }),
    ]);
    this.#partitions = ends.length;
    const missing = ends.map((p) => p.partition).filter((p) => !this.#assignment?.has(p));
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
    for (const p of ends) {
      if (this.#assignment && !this.#assignment.has(p.partition)) continue;
      if (!this.#high.has(p.partition)) this.#high.set(p.partition, Number(p.high));
      const start = committedOf.get(p.partition);
      if (!this.#nextToBuffer.has(p.partition))
        this.#nextToBuffer.set(p.partition, start !== undefined && start >= 0 ? start : Number(p.low));
    }
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

  /**
   * After a rebalance: records buffered from partitions that are no longer
   * ours are dropped (their new owner reads them from the committed offsets),
   * and the watermark stops waiting for them. A partition given back to us
   * resumes from Kafka's committed offset, which trails our checkpoint; the
   * buffer-once rule skips what we already handed out, and only that (found
   * by a test: the dropped records were skipped too, and lost).
   */
  assigned(partitions: readonly number[]): void {
    const ours = new Set(partitions);
    this.#assignment = ours;
    // What is dropped was never handed out: if the partition comes back, it must be buffered again, not skipped.
    for (const c of this.#buffer) {
      if (!ours.has(c.partition))
        this.#nextToBuffer.set(c.partition, Math.min(this.#nextToBuffer.get(c.partition) ?? Infinity, c.offsets[0]!));
    }
    this.#keepBuffered((c) => ours.has(c.partition));
    for (const p of [...this.#high.keys()]) if (!ours.has(p)) this.#high.delete(p);
  }

  /** Resumes fetching once the buffer is half empty: also after a seek dropped what it held. */
  #resumeIfRoom(): void {
    if (this.#paused && this.#buffered < this.#maxBuffered / 2) {
      this.#paused = false;
      this.#send({ type: 'resume' });
    }
  }

  #keepBuffered(keep: (c: Chunk) => boolean): void {
    this.#buffer = this.#buffer.filter(keep);
    this.#buffered = this.#buffer.reduce((n, c) => n + c.offsets.length, 0);
  }

  /** Partitions with records not yet handed out: the watermark must wait for them. */
  #pending(): number[] {
    const buffered = new Set(this.#buffer.map((c) => c.partition));
    return [...this.#high]
      .filter(([p, high]) => buffered.has(p) || (this.#nextToBuffer.get(p) ?? 0) < high)
      .map(([p]) => p);
  }

  /** Whether a partition's records from `offset` on are all here (handed out since the last checkpoint, buffered, or next to fetch). */
  #holdsFrom(partition: number, offset: number): boolean {
    const next = this.#nextToBuffer.get(partition);
    if (next === undefined || offset > next) return false;
    const first =
      this.#handedOut.find((c) => c.partition === partition) ?? this.#buffer.find((c) => c.partition === partition);
    return offset >= (first?.offsets[0] ?? next);
  }

  /**
   * A reader from a position. What this input still holds from there is
   * served again without asking Kafka: the records handed out since the last
   * checkpoint (a replay after a failed batch), and the buffer (a restart
   * whose first fetches, from Kafka's committed offsets, landed before the
   * reader opened), cut at the position. A position outside what is held
   * seeks the consumer; the seek's epoch keeps fetches in flight from
   * before it out of the buffer.
   */
  reader(from: KafkaPosition | undefined): SourceReader {
    const position = new Map<number, number>(Object.entries(from ?? {}).map(([p, o]) => [Number(p), o]));
    // A partition the position does not name had nothing checkpointed: all of it handed out comes again.
    let replay = this.#handedOut.flatMap((c) => fromOffset(c, position.get(c.partition) ?? -Infinity) ?? []);
    for (const [partition, offset] of position) {
      if (this.#holdsFrom(partition, offset)) {
        // Kafka's committed offsets may trail the checkpoint: what was fetched before it is not read again.
        this.#buffer = this.#buffer.flatMap((c) => (c.partition === partition ? (fromOffset(c, offset) ?? []) : [c]));
        continue;
      }
      const epoch = (this.#seekEpoch.get(partition) ?? 0) + 1;
      this.#seekEpoch.set(partition, epoch);
      this.#nextToBuffer.set(partition, offset);
      this.#buffer = this.#buffer.filter((c) => c.partition !== partition);
      replay = replay.filter((c) => c.partition !== partition);
      this.#send({ type: 'seek', partition, offset, epoch });
    }
    this.#buffered = this.#buffer.reduce((n, c) => n + c.offsets.length, 0);
    this.#handedOut = [];
    this.#buffer.unshift(...replay);
    this.#buffered += replay.reduce((n, c) => n + c.offsets.length, 0);
    this.#resumeIfRoom();
    const topic = this.options.topic;
    return {
      read: async (max) => {
        this.check();
        const values: string[] = [];
        const partitions: number[] = [];
        const offsets: number[] = [];
        while (values.length < max && this.#buffer.length > 0) {
          const head = this.#buffer[0]!;
          const room = max - values.length;
          let taken = head;
          if (head.offsets.length > room) {
            taken = chunkSlice(head, 0, room);
            this.#buffer[0] = chunkSlice(head, room);
          } else this.#buffer.shift();
          for (let i = 0; i < taken.offsets.length; i++) {
            values.push(taken.values[i]!);
            partitions.push(taken.partition);
            offsets.push(taken.offsets[i]!);
          }
          position.set(taken.partition, taken.offsets[taken.offsets.length - 1]! + 1);
          this.#handedOut.push(taken);
        }
        this.#buffered -= values.length;
        this.#resumeIfRoom();
        return {
          values,
          position: (i) => `${topic}/${partitions[i]}/${offsets[i]}`,
          split: (i) => partitions[i]!,
          pendingSplits: () => this.#pending(),
          done: false,
        };
      },
      position: () => Object.fromEntries(position),
      // Committed only once the checkpoint that covers them is durable: Kafka's group offsets trail the runner's.
      checkpointed: (p) => {
        const done = p as KafkaPosition;
        // What a checkpoint covers is never replayed again: stop keeping it.
        this.#handedOut = this.#handedOut.flatMap((c) => fromOffset(c, done[c.partition] ?? 0) ?? []);
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
    if (offsets.length > 0) await this.#call({ type: 'commit', offsets });
  }

  /** The end of each assigned partition's log now: where a bounded read of the topic stops. */
  async endOffsets(): Promise<Map<number, number>> {
    const ends = await this.#admin.fetchTopicOffsets(this.options.topic);
    return new Map(
      ends
        .filter((p) => !this.#assignment || this.#assignment.has(p.partition))
        .map((p) => [p.partition, Number(p.high)]),
    );
  }

  /** The first offset each partition of the topic still holds: records below it were deleted (retention) and cannot be read again. */
  async startOffsets(): Promise<Map<number, number>> {
    const offsets = await this.#admin.fetchTopicOffsets(this.options.topic);
    return new Map(offsets.map((p) => [p.partition, Number(p.low)]));
  }

  /** True once every record below `ends` (per partition) has been handed out by a reader. */
  handedOutUpTo(ends: ReadonlyMap<number, number>): boolean {
    for (const [partition, end] of ends) {
      if ((this.#nextToBuffer.get(partition) ?? 0) < end) return false;
      if (this.#buffer.some((c) => c.partition === partition && c.offsets[0]! < end)) return false;
    }
    return true;
  }

  /** Leaves the group (so a successor gets the partitions at once) and stops the consumer thread. */
  async close(): Promise<void> {
    const thread = this.#thread;
    if (thread && !this.#closing) {
      this.#closing = true;
      await Promise.race([
        this.#call({ type: 'disconnect' }).catch(() => {}),
        new Promise((r) => setTimeout(r, 10_000).unref()),
      ]);
      await thread.terminate();
    }
    await this.#admin.disconnect().catch(() => {});
  }
}

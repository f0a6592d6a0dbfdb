import { chunkSlice, firstAtOrAfter, fromOffset, recordsIn, type Chunk } from './chunk.ts';
import type { ConsumerCommand, FetchedBatch } from './consumer-protocol.ts';

/** What the buffer asks of the consumer thread: pause or resume fetching, or seek a partition. */
export type FetchControl = Extract<ConsumerCommand, { readonly type: 'pause' | 'resume' | 'seek' }>;

/** Records a reader took: value i came from `partitions[i]` at `offsets[i]`. */
export interface Taken {
  readonly values: string[];
  readonly partitions: number[];
  readonly offsets: number[];
}

/** A partition's offsets as the admin client reports them: where its log starts and ends. */
export interface PartitionEnds {
  readonly partition: number;
  readonly low: number;
  readonly high: number;
}

/**
 * The records fetched from Kafka and not yet checkpointed, by partition: what is buffered to read, what
 * was handed out since the last checkpoint (a replay serves it again), and per partition the next offset
 * to buffer and the end of its log. Pure: the consumer thread is told what to do through `control`, so
 * every rule here is tested without a broker (test/connectors/kafka/partition-buffer.test.ts).
 */
export class PartitionBuffer {
  #chunks: Chunk[] = [];
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
  readonly #control: (command: FetchControl) => void;

  /**
   * @param maxBuffered records buffered before fetching pauses; it resumes below half of it.
   * @param control tells the consumer thread to pause, resume or seek.
   */
  constructor(
    readonly maxBuffered: number,
    control: (command: FetchControl) => void,
  ) {
    this.#control = control;
  }

  /** Records fetched and not yet handed out. */
  get buffered(): number {
    return this.#buffered;
  }

  /** The partitions the last rebalance assigned to us; undefined before the first. */
  get assignment(): ReadonlySet<number> | undefined {
    return this.#assignment;
  }

  /** Whether a rebalance left this partition to us (every partition before the first assignment). */
  owns(partition: number): boolean {
    return !this.#assignment || this.#assignment.has(partition);
  }

  /**
   * A fetched batch: what was not buffered before joins the buffer; past the
   * limit, fetching pauses. Dropped: batches from before the partition's
   * latest seek, and of partitions a rebalance took away (fetched before it).
   */
  accept(batch: FetchedBatch): void {
    const { partition } = batch;
    if (batch.epoch !== (this.#seekEpoch.get(partition) ?? 0)) return;
    if (!this.owns(partition)) return;
    this.#high.set(partition, batch.high);
    const from = firstAtOrAfter(batch.offsets, this.#nextToBuffer.get(partition) ?? 0);
    if (from === batch.offsets.length) return;
    const text = Buffer.from(batch.bytes);
    const values = new Array<string>(batch.offsets.length - from);
    for (let i = from; i < batch.offsets.length; i++)
      values[i - from] = text.toString('utf8', batch.ends[i - 1] ?? 0, batch.ends[i]);
    const fresh: Chunk = { partition, offsets: batch.offsets.subarray(from), values };
    this.#chunks.push(fresh);
    this.#buffered += fresh.offsets.length;
    this.#nextToBuffer.set(partition, fresh.offsets[fresh.offsets.length - 1]! + 1);
    if (!this.#paused && this.#buffered >= this.maxBuffered) {
      this.#paused = true;
      this.#control({ type: 'pause' });
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
    for (const c of this.#chunks) {
      if (!ours.has(c.partition))
        this.#nextToBuffer.set(c.partition, Math.min(this.#nextToBuffer.get(c.partition) ?? Infinity, c.offsets[0]!));
    }
    this.#chunks = this.#chunks.filter((c) => ours.has(c.partition));
    this.#buffered = recordsIn(this.#chunks);
    for (const p of [...this.#high.keys()]) if (!ours.has(p)) this.#high.delete(p);
  }

  /**
   * Where each of our partitions starts once the group has joined: the group's committed offset, else the
   * start of its log; and where its log ends. A partition already fetched from keeps what it has.
   */
  startAt(partitions: readonly PartitionEnds[], committed: ReadonlyMap<number, number>): void {
    for (const p of partitions) {
      if (!this.owns(p.partition)) continue;
      if (!this.#high.has(p.partition)) this.#high.set(p.partition, p.high);
      const start = committed.get(p.partition);
      if (!this.#nextToBuffer.has(p.partition))
        this.#nextToBuffer.set(p.partition, start !== undefined && start >= 0 ? start : p.low);
    }
  }

  /** Partitions with records not yet handed out: the watermark must wait for them. */
  pending(): number[] {
    const buffered = new Set(this.#chunks.map((c) => c.partition));
    return [...this.#high]
      .filter(([p, high]) => buffered.has(p) || (this.#nextToBuffer.get(p) ?? 0) < high)
      .map(([p]) => p);
  }

  /**
   * Sets the buffer to serve from a reader's position. What it still holds from there is served again
   * without asking Kafka: the records handed out since the last checkpoint (a replay after a failed
   * batch), and the buffer (a restart whose first fetches, from Kafka's committed offsets, landed before
   * the reader opened), cut at the position. A position outside what is held seeks the consumer; the
   * seek's epoch keeps fetches in flight from before it out of the buffer.
   */
  rewind(position: ReadonlyMap<number, number>): void {
    // A partition the position does not name had nothing checkpointed: all of it handed out comes again.
    let replay = this.#handedOut.flatMap((c) => fromOffset(c, position.get(c.partition) ?? -Infinity) ?? []);
    for (const [partition, offset] of position) {
      if (this.#holdsFrom(partition, offset)) {
        // Kafka's committed offsets may trail the checkpoint: what was fetched before it is not read again.
        this.#chunks = this.#chunks.flatMap((c) => (c.partition === partition ? (fromOffset(c, offset) ?? []) : [c]));
        continue;
      }
      const epoch = (this.#seekEpoch.get(partition) ?? 0) + 1;
      this.#seekEpoch.set(partition, epoch);
      this.#nextToBuffer.set(partition, offset);
      this.#chunks = this.#chunks.filter((c) => c.partition !== partition);
      replay = replay.filter((c) => c.partition !== partition);
      this.#control({ type: 'seek', partition, offset, epoch });
    }
    this.#buffered = recordsIn(this.#chunks);
    this.#handedOut = [];
    this.#chunks.unshift(...replay);
    this.#buffered += recordsIn(replay);
    this.#resumeIfRoom();
  }

  /** Hands out up to `max` records in buffer order, moving `position` (partition → next offset) past them. */
  take(max: number, position: Map<number, number>): Taken {
    const taken: Taken = { values: [], partitions: [], offsets: [] };
    while (taken.values.length < max && this.#chunks.length > 0) {
      const head = this.#chunks[0]!;
      const room = max - taken.values.length;
      let chunk = head;
      if (head.offsets.length > room) {
        chunk = chunkSlice(head, 0, room);
        this.#chunks[0] = chunkSlice(head, room);
      } else this.#chunks.shift();
      for (let i = 0; i < chunk.offsets.length; i++) {
        taken.values.push(chunk.values[i]!);
        taken.partitions.push(chunk.partition);
        taken.offsets.push(chunk.offsets[i]!);
      }
      position.set(chunk.partition, chunk.offsets[chunk.offsets.length - 1]! + 1);
      this.#handedOut.push(chunk);
    }
    this.#buffered -= taken.values.length;
    this.#resumeIfRoom();
    return taken;
  }

  /** What a durable checkpoint covers is never replayed again: stop keeping it. */
  checkpointed(position: Readonly<Record<string, number>>): void {
    this.#handedOut = this.#handedOut.flatMap((c) => fromOffset(c, position[c.partition] ?? 0) ?? []);
  }

  /** True once every record below `ends` (per partition) has been handed out by a reader. */
  handedOutUpTo(ends: ReadonlyMap<number, number>): boolean {
    for (const [partition, end] of ends) {
      if ((this.#nextToBuffer.get(partition) ?? 0) < end) return false;
      if (this.#chunks.some((c) => c.partition === partition && c.offsets[0]! < end)) return false;
    }
    return true;
  }

  /** Whether a partition's records from `offset` on are all here (handed out since the last checkpoint, buffered, or next to fetch). */
  #holdsFrom(partition: number, offset: number): boolean {
    const next = this.#nextToBuffer.get(partition);
    if (next === undefined || offset > next) return false;
    const first =
      this.#handedOut.find((c) => c.partition === partition) ?? this.#chunks.find((c) => c.partition === partition);
    return offset >= (first?.offsets[0] ?? next);
  }

  /** Resumes fetching once the buffer is half empty: also after a seek dropped what it held. */
  #resumeIfRoom(): void {
    if (this.#paused && this.#buffered < this.maxBuffered / 2) {
      this.#paused = false;
      this.#control({ type: 'resume' });
    }
  }
}

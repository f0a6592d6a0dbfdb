/**
 * A micro-batch as the source delivered it: the raw values, and where each
 * came from, computed only when asked for (dead letters). Building a record
 * object or a position string for every event would cost more than
 * aggregating it.
 */
export interface SourceBatch {
  readonly values: readonly unknown[];
  /** Human-readable position of values[i]: `file:line`, `generator#index`, `topic/partition/offset`. */
  position(index: number): string;
  /** True when a bounded source has nothing more. */
  readonly done: boolean;
  /**
   * For sources read in parallel splits (Kafka partitions): the split of
   * values[i]. Event time is ordered within a split, not across splits, so
   * the watermark is the slowest split's.
   */
  split?(index: number): number;
  /** Splits that still have records to deliver: the watermark may not pass them. */
  pendingSplits?(): readonly number[];
}

/**
 * The runner's view of a source: read in micro-batches from a position that
 * the checkpoint stores, so a restart resumes where the last checkpoint left.
 */
export interface SourceReader {
  read(max: number): Promise<SourceBatch>;
  /** The position after the last record read: JSON, stored in checkpoints. */
  position(): unknown;
  /** Told when a checkpoint at `position` is durable: a WAL can drop what lies before it. */
  checkpointed?(position: unknown): void;
  close(): Promise<void>;
}

/**
 * A run's connection to a stream (a Kafka consumer, a socket receiver): it lives as long as the run,
 * while the readers it hands out are reopened at a checkpointed position on every replay.
 */
export interface LiveInput {
  reader(from: unknown): SourceReader;
}

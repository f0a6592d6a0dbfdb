/** A record as the source delivered it, with where it came from (for dead letters and checkpoints). */
export interface SourceRecord {
  readonly raw: unknown;
  /** Human-readable position: `file:line`, `generator#index`, `topic/partition/offset`. */
  readonly position: string;
}

export interface SourceBatch {
  readonly records: readonly SourceRecord[];
  /** True when a bounded source has nothing more. */
  readonly done: boolean;
}

/**
 * The runner's view of a source: read in micro-batches from a position that
 * the checkpoint stores, so a restart resumes where the last checkpoint left.
 */
export interface SourceReader {
  read(max: number): Promise<SourceBatch>;
  /** The position after the last record read: JSON, stored in checkpoints. */
  position(): unknown;
  close(): Promise<void>;
}

import type { PipelineNode, SourceNode } from '../../compiler/ir/index.ts';
import type { LiveInput } from './source-reader.ts';

/** What a run tells a stream's connector when it opens it: the run's settings, never the runner. */
export interface InputSettings {
  readonly log: (line: string) => void;
  /** Connection attempts before the run fails (default 10, with doubling backoff). */
  readonly connectAttempts?: number;
  /** The run's checkpoint folder: what must outlive the process beside it (Kafka's group membership). */
  readonly checkpointDir?: string;
  /** Whether the input may also record a durable checkpoint's position in the stream itself (Kafka's committed offsets). */
  readonly commitPositions?: boolean;
  /** How many records a receiver holds unread before it stops reading its socket (backpressure). */
  readonly maxQueued?: number;
  /** The fault `crash-mid-append`: this run's `append`-th WAL append is torn and `crash` strikes. */
  readonly crashMidAppend?: { readonly append: number; readonly crash: () => never };
}

/** A run's connection to a stream, from `start` (connected, ready to read) to `close`. */
export interface OpenInput extends LiveInput {
  start(): Promise<void>;
  /** Also on a crash: what was received and not checkpointed dies with the connection. */
  close(): Promise<void>;
  /**
   * Kafka only: the first offset each partition still holds, so a run can tell whether an earlier
   * checkpoint's position can still be read (retention may have deleted what lies before it).
   */
  startOffsets?(): Promise<ReadonlyMap<number, number>>;
}

/** A stream read as a batch job reads it: what was there when the read began, and how to acknowledge it. */
export interface BoundedRead {
  readonly values: readonly unknown[];
  /** Where values[i] came from, for dead letters: `topic/partition/offset`. */
  position(index: number): string;
  /** Once the sinks acknowledged every value: the input records that it was consumed (Kafka commits its offsets). */
  acknowledged(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A stream source's connector (Kafka, a socket receiver), like `TargetConnector` for sinks: a runner asks
 * it for the run's connection and never builds the client itself. Bounded sources (memory, file,
 * generator, a table) need none: the runtime reads them (`openSource`).
 */
export interface InputConnector {
  readonly connector: SourceNode['connector'];
  /** The connection of one run, which hands out a reader at each checkpointed position (the local runner). */
  open(pipeline: PipelineNode, settings: InputSettings): OpenInput;
  /**
   * The input as it stands when asked, read to its end (the Beam runner's bounded input). `idleMs`: the read
   * also ends when nothing new came for this long. Absent: this stream cannot be read as a batch.
   */
  readToEnd?(pipeline: PipelineNode, settings: InputSettings & { readonly idleMs?: number }): Promise<BoundedRead>;
}

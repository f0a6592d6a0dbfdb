import type { EmbeddedStore } from '../../connectors/embedded/store.ts';
import { noFaults, type FaultSpec } from '../../runtime/faults.ts';
import type { MemorySinkContents, PlannedWrite } from '../../runtime/sinks/sink-writer.ts';
import type { TargetConnector } from '../../runtime/target-connector.ts';
import type { RunResult } from '../runner.ts';
import type { FileCheckpointOptions } from './checkpoint.ts';
import type { StoreMergeOptions } from './state-store.ts';

// What `runLocal` takes and what it returns (engine.ts re-exports them).

export interface Progress {
  readonly batch: number;
  readonly records: number;
  readonly eventsPerSecond: number;
  /** Event time of the watermark, and how far it is behind the newest event seen. */
  readonly watermark: number;
  readonly stateEntries: number;
  /** Records read from the input's start, across restarts; undefined after resuming from a checkpoint that does not say. */
  readonly recordsRead?: number;
  /** Set when this process resumed from a checkpoint (so `records` counts from there). */
  readonly resumed?: Resumed;
}

/** Where a process resumed: after which batch, and after how many records of the input (when its checkpoint says). */
export interface Resumed {
  readonly afterBatch: number;
  readonly records?: number;
}

export interface LocalRunOptions {
  /** The embedded store: target of embedded sinks, and of Cassandra sinks when no Cassandra is configured. */
  readonly store: EmbeddedStore;
  /** Folder for durable checkpoints; without it, checkpoints live in memory (no restart across processes). */
  readonly checkpointDir?: string;
  /**
   * Where keyed window state lives: in memory (the default), or on disk in an LMDB store (`--state disk`), which
   * then is the checkpoint; needs `checkpointDir`. `dir` defaults to `<checkpointDir>/state-lmdb`.
   */
  readonly state?: StateLocation;
  /**
   * When a durable checkpoint compacts its deltas into a snapshot (defaults: 1 MiB, 1,000 deltas), or with `--state
   * disk` merges its delta log into LMDB (defaults in state-store.ts); the fault campaign compacts often.
   */
  readonly compaction?: Pick<FileCheckpointOptions, 'compactAfterBytes' | 'compactAfterDeltas'> & StoreMergeOptions;
  readonly batchSize?: number;
  /** Streaming sources: a batch closes when full or this long after its first record (default 1000 ms). */
  readonly batchIntervalMs?: number;
  /** Stop (with a checkpoint) once the source has delivered nothing for this long. */
  readonly untilIdleMs?: number;
  /** How much longer an idle run waits while its source knows of records not delivered yet (default 30 s). */
  readonly unreadGraceMs?: number;
  /** Stop (with a checkpoint) after the batch in which this many records were read. */
  readonly maxRecords?: number;
  /** Checkpoint every n batches (default 1). */
  readonly checkpointEvery?: number;
  readonly faults?: FaultSpec;
  readonly seed?: number;
  /** Record the writes instead of applying them. */
  readonly dryRun?: boolean;
  readonly memory?: MemorySinkContents;
  readonly onProgress?: (progress: Progress) => void;
  /** What an injected crash does: the CLI exits the process; tests throw SimulatedCrash. */
  readonly crash?: (batch: number) => never;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Stop after the batch in flight, with a checkpoint (SIGINT/SIGTERM). */
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
  /** How many times in a row a failing batch is replayed before the run gives up (default 10). */
  readonly maxReplays?: number;
  /**
   * Connectors of table targets beside the embedded store (a connected Cassandra, a JSONL folder): their
   * sinks write there. Without a Cassandra connector, Cassandra sinks write to the embedded store.
   */
  readonly targets?: readonly TargetConnector[];
  /** Connection attempts of a socket or Kafka source before the run fails (default 10, with doubling backoff). */
  readonly connectAttempts?: number;
}

export type StateLocation = { readonly kind: 'memory' } | { readonly kind: 'disk'; readonly dir?: string };

export interface LocalRunResult extends RunResult {
  readonly plan?: readonly PlannedWrite[];
  readonly memory: MemorySinkContents;
  readonly lost: number;
  /** Faults that actually struck (the spec gives only probabilities). */
  readonly injected: { readonly writeFail: number; readonly lostAck: number; readonly duplicate: number };
  readonly stopped: 'end' | 'signal' | 'idle' | 'max-records';
  /** From the moment the input was ready (connected, partitions assigned) to the end: the figure benchmarks compare. */
  readonly processingMs: number;
  /** Set when the run resumed from a checkpoint: `recordsIn` and `batches` then count from there, and on from its batch. */
  readonly resumed?: Resumed;
}

/** The options a run reads at every batch, with their defaults filled in. */
export interface RunSettings {
  readonly faults: FaultSpec;
  readonly seed: number;
  readonly batchSize: number;
  readonly checkpointEvery: number;
  readonly log: (line: string) => void;
  readonly sleep: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function runSettings(options: LocalRunOptions): RunSettings {
  return {
    faults: options.faults ?? noFaults,
    seed: options.seed ?? 1,
    batchSize: options.batchSize ?? 1_000,
    checkpointEvery: options.checkpointEvery ?? 1,
    log: options.log ?? ((line: string) => process.stderr.write(`${line}\n`)),
    sleep: options.sleep ?? realSleep,
  };
}

import type { PipelineNode } from '../../compiler/ir/index.ts';
import { inputConnectorOf } from '../../connectors/inputs.ts';
import type { LiveInput } from '../../runtime/sources/source-reader.ts';
import type { ReplayInput } from './replay-safety.ts';

export interface LiveInputSettings {
  readonly log: (line: string) => void;
  readonly connectAttempts: number | undefined;
  readonly batchSize: number;
  /** Commit checkpointed offsets to Kafka (only with a durable checkpoint, and not in a dry-run). */
  readonly commitOffsets: boolean;
  readonly checkpointDir: string | undefined;
  /** The fault `crash-mid-append` for this run's receiver, when one is due (asked only of a socket source). */
  readonly crashMidAppend: () => { append: number; crash: () => never } | undefined;
}

/** A run's connection to a stream source, from construction to close; absent `live` for sources read by position. */
export interface RunInput {
  readonly live: LiveInput | undefined;
  /** What a fallback to an earlier checkpoint asks of the input (Kafka: where its partitions now start). */
  readonly replayInput: ReplayInput;
  start(): Promise<void>;
  /** Also on a (simulated) crash: the connection dies with the process, unflushed. */
  close(): Promise<void>;
}

/**
 * Live inputs outlive the readers that a replay reopens: one connection a run, asked of the stream's
 * connector (`connectors/inputs.ts`); this runner builds no Kafka consumer or socket receiver itself.
 */
export async function runInput(pipeline: PipelineNode, settings: LiveInputSettings): Promise<RunInput> {
  const connector = await inputConnectorOf(pipeline.source);
  if (!connector) return { live: undefined, replayInput: {}, start: async () => {}, close: async () => {} };
  const input = connector.open(pipeline, {
    log: settings.log,
    connectAttempts: settings.connectAttempts,
    checkpointDir: settings.checkpointDir,
    commitPositions: settings.commitOffsets,
    // Room for the batch being read and the next: beyond that, lines wait at the sender (TCP backpressure).
    maxQueued: 2 * settings.batchSize,
    crashMidAppend: pipeline.source.connector === 'socket' ? settings.crashMidAppend() : undefined,
  });
  const startOffsets = input.startOffsets?.bind(input);
  return {
    live: input,
    replayInput: startOffsets ? { startOffsets } : {},
    start: () => input.start(),
    close: () => input.close(),
  };
}

import { join } from 'node:path';
import type { SourceNode } from '../../compiler/ir/index.ts';
import { KafkaInput } from '../../connectors/kafka/kafka-input.ts';
import { SocketReceiver } from '../../connectors/socket/socket-receiver.ts';
import type { LiveInput } from '../../runtime/sources/source-reader.ts';
import type { ReplayInput } from './replay-safety.ts';

export interface LiveInputSettings {
  readonly log: (line: string) => void;
  readonly connectAttempts: number | undefined;
  readonly batchSize: number;
  /** The pipeline keeps aggregation state in this runner: no other group member may hold partitions. */
  readonly exclusive: boolean;
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

/** Live inputs outlive the readers that a replay reopens: one connection a run. */
export function runInput(source: SourceNode, settings: LiveInputSettings): RunInput {
  if (source.connector === 'socket') {
    const receiver = new SocketReceiver({
      host: String(source.options.host),
      port: Number(source.options.port),
      walDir: source.wal?.dir,
      acknowledge: source.wal?.acknowledge,
      log: settings.log,
      attempts: settings.connectAttempts,
      maxQueued: 2 * settings.batchSize,
      crashMidAppend: settings.crashMidAppend(),
    });
    return { live: receiver, replayInput: {}, start: () => receiver.start(), close: async () => receiver.close() };
  }
  if (source.connector === 'kafka') {
    const kafka = new KafkaInput({
      brokers: source.options.brokers as string[],
      topic: String(source.options.topic),
      groupId: String(source.options.groupId),
      log: settings.log,
      attempts: settings.connectAttempts,
      exclusive: settings.exclusive,
      commitOffsets: settings.commitOffsets,
      memberFile: settings.checkpointDir && join(settings.checkpointDir, 'kafka-member.json'),
    });
    return {
      live: kafka,
      replayInput: { startOffsets: () => kafka.startOffsets() },
      start: () => kafka.start(),
      close: () => kafka.close(),
    };
  }
  return { live: undefined, replayInput: {}, start: async () => {}, close: async () => {} };
}

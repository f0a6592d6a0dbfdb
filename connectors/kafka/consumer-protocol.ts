import type { KafkaConfig } from 'kafkajs';

/** What the Kafka consumer thread is started with. */
export interface ConsumerThreadInput {
  readonly client: KafkaConfig;
  readonly topic: string;
  readonly groupId: string;
  /** Records posted but not yet taken by the runner's thread before the consumer pauses itself. */
  readonly maxInFlight: number;
  /** kafkajs's maxBytesPerPartition: the most one fetch brings per partition. */
  readonly fetchBytes: number;
}

/** Requests from the runner's thread, each answered by a `reply` with the same id. */
export type ConsumerRequest =
  | { readonly type: 'connect' }
  | { readonly type: 'run' }
  | { readonly type: 'commit'; readonly offsets: readonly { readonly partition: number; readonly offset: number }[] }
  | { readonly type: 'disconnect' };

/** Everything the runner's thread sends: requests with their id, and notices that need no answer. */
export type ConsumerCommand =
  | (ConsumerRequest & { readonly id: number })
  /** `epoch` numbers the partition's seeks: batches are posted with the epoch they were fetched under. */
  | { readonly type: 'seek'; readonly partition: number; readonly offset: number; readonly epoch: number }
  | { readonly type: 'pause' }
  | { readonly type: 'resume' }
  /** The runner's thread took `count` posted records off the message queue. */
  | { readonly type: 'taken'; readonly count: number };

/**
 * One partition's fetched messages: message i is offsets[i], and its value
 * is bytes[ends[i - 1] ?? 0 .. ends[i]) (UTF-8). The arrays are transferred,
 * not copied; the runner's thread decodes the text (which the consumer
 * thread, the busier of the two, is spared).
 */
export interface FetchedBatch {
  readonly type: 'batch';
  readonly partition: number;
  /** The end of the partition's log when fetched (Kafka's high-water mark). */
  readonly high: number;
  /** The partition's last seek when this batch was fetched: a batch from before the runner's latest seek is stale. */
  readonly epoch: number;
  readonly offsets: Float64Array;
  readonly ends: Uint32Array;
  readonly bytes: ArrayBuffer;
}

/** Events from the consumer thread. */
export type ConsumerEvent =
  | FetchedBatch
  | { readonly type: 'reply'; readonly id: number; readonly error?: string }
  | { readonly type: 'joined'; readonly partitions: readonly number[]; readonly memberId: string }
  | { readonly type: 'crash'; readonly message: string; readonly restart: boolean };

import { PipelineNode } from '../../compiler/ir/index.ts';
import { KafkaInput, type KafkaPosition } from '../../connectors/kafka/kafka-input.ts';
import { openSource } from '../../runtime/sources/open-source.ts';
import { joinBatches } from '../../runtime/sources/read-batch.ts';
import type { SourceBatch, SourceReader } from '../../runtime/sources/source-reader.ts';
import type { Targets } from '../../runtime/target-connector.ts';

/** A Beam job's input, read whole before the job is submitted. */
export interface BoundedInput {
  readonly values: readonly unknown[];
  /** Where values[i] came from: `file:line`, `topic/partition/offset`, … (for dead letters). */
  position(index: number): string;
  /** Once the sinks acknowledged everything: a Kafka input commits its offsets. */
  acknowledged(): Promise<void>;
  close(): Promise<void>;
}

export interface BoundedInputOptions {
  /** Where `source.cassandraTable` reads: the cluster when one is configured, else the embedded store. */
  readonly targets: Targets;
  readonly log: (line: string) => void;
  /** A Kafka read ends when nothing new arrived for this long even though the log's end was not reached (transaction markers). */
  readonly kafkaIdleMs?: number;
  readonly connectAttempts?: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Reads `reader` in batches until `finished`, keeping each value's position. */
async function drain(
  reader: SourceReader,
  finished: (last: { done: boolean; count: number }) => boolean,
): Promise<SourceBatch> {
  const parts: SourceBatch[] = [];
  for (;;) {
    const batch = await reader.read(10_000);
    if (batch.values.length > 0) parts.push(batch);
    if (finished({ done: batch.done, count: batch.values.length })) return joinBatches(parts, batch);
    if (batch.values.length === 0) await sleep(20);
  }
}

/**
 * The input of a pipeline on Beam. Bounded sources are read to their end.
 * A Kafka topic is read the way a batch job reads it: from the group's
 * committed offsets to the end of each partition's log when the run starts;
 * the offsets are committed only after every sink acknowledged (the seed's
 * Direct API, with the job as the batch), so a failed run reads the same
 * records again and idempotent sinks converge.
 */
export async function readBoundedInput(pipeline: PipelineNode, options: BoundedInputOptions): Promise<BoundedInput> {
  const source = pipeline.source;
  if (source.connector !== 'kafka') {
    const reader = openSource(source, undefined, { targets: options.targets });
    try {
      // eslint-disable-next-line @typescript-eslint/unbound-method -- drain's position is a closure over its parts, it uses no this
      const { values, position } = await drain(reader, ({ done, count }) => done || count === 0);
      return { values, position, acknowledged: async () => {}, close: async () => {} };
    } finally {
      await reader.close();
    }
  }
  const o = source.options;
  const kafka = new KafkaInput({
    brokers: o.brokers as string[],
    topic: String(o.topic),
    groupId: String(o.groupId),
    log: options.log,
    attempts: options.connectAttempts,
    exclusive: PipelineNode.aggregate(pipeline) !== undefined,
  });
  try {
    await kafka.start();
    const ends = await kafka.endOffsets();
    const reader = kafka.reader(undefined);
    const idleMs = options.kafkaIdleMs ?? 5_000;
    let lastProgress = performance.now();
    // eslint-disable-next-line @typescript-eslint/unbound-method -- drain's position is a closure over its parts, it uses no this
    const { values, position } = await drain(reader, ({ count }) => {
      const now = performance.now();
      if (count > 0) lastProgress = now;
      if (kafka.handedOutUpTo(ends)) return true;
      if (now - lastProgress < idleMs) return false;
      options.log(
        `source.kafka: nothing new from ${String(o.topic)} for ${idleMs} ms before the end offsets at start; reading ends here`,
      );
      return true;
    });
    const end = reader.position() as KafkaPosition;
    return { values, position, acknowledged: () => kafka.commit(end), close: () => kafka.close() };
  } catch (error) {
    await kafka.close();
    throw error;
  }
}

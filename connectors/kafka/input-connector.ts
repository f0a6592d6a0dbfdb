import { join } from 'node:path';
import { PipelineNode, type SourceNode } from '../../compiler/ir/index.ts';
import type { BoundedRead, InputConnector, InputSettings } from '../../runtime/sources/input-connector.ts';
import { readUntil } from '../../runtime/sources/read-batch.ts';
import { KafkaInput, type KafkaPosition } from './kafka-input.ts';

/** The consumer of `source.kafka(...)`, for one run of `pipeline`. */
function kafkaInputOf(pipeline: PipelineNode, settings: InputSettings, commitOffsets: boolean): KafkaInput {
  const o: SourceNode['options'] = pipeline.source.options;
  return new KafkaInput({
    brokers: o.brokers as string[],
    topic: String(o.topic),
    groupId: String(o.groupId),
    log: settings.log,
    attempts: settings.connectAttempts,
    // Aggregation state lives in this runner's checkpoint and does not move with a partition.
    exclusive: PipelineNode.aggregate(pipeline) !== undefined,
    commitOffsets,
    memberFile: settings.checkpointDir && join(settings.checkpointDir, 'kafka-member.json'),
  });
}

/**
 * A topic read the way a batch job reads it: from the group's committed offsets to the end of each
 * partition's log when the read starts; the offsets are committed only once every sink acknowledged
 * (the seed's Direct API, with the job as the batch), so a failed run reads the same records again and
 * idempotent sinks converge.
 */
async function readToEnd(
  pipeline: PipelineNode,
  settings: InputSettings & { readonly idleMs?: number },
): Promise<BoundedRead> {
  const kafka = kafkaInputOf(pipeline, settings, true);
  try {
    await kafka.start();
    const ends = await kafka.endOffsets();
    const reader = kafka.reader(undefined);
    const idleMs = settings.idleMs ?? 5_000;
    let lastProgress = performance.now();
    // eslint-disable-next-line @typescript-eslint/unbound-method -- readUntil's position is a closure over its parts, it uses no this
    const { values, position } = await readUntil(reader, ({ count }) => {
      const now = performance.now();
      if (count > 0) lastProgress = now;
      if (kafka.handedOutUpTo(ends)) return true;
      if (now - lastProgress < idleMs) return false;
      settings.log(
        `source.kafka: nothing new from ${String(pipeline.source.options.topic)} for ${idleMs} ms before the end offsets at start; reading ends here`,
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

/** `source.kafka(...)`: a consumer-group member of one run, or a bounded read to the log's end at start. */
export const kafkaInputConnector: InputConnector = {
  connector: 'kafka',
  open(pipeline, settings) {
    const kafka = kafkaInputOf(pipeline, settings, settings.commitPositions ?? true);
    return {
      start: () => kafka.start(),
      reader: (from) => kafka.reader(from as KafkaPosition | undefined),
      close: () => kafka.close(),
      startOffsets: () => kafka.startOffsets(),
    };
  },
  readToEnd,
};

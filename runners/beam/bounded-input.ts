import type { PipelineNode } from '../../compiler/ir/index.ts';
import { inputConnectorOf } from '../../connectors/inputs.ts';
import { RunnerError } from '../../runtime/runner-error.ts';
import type { BoundedRead } from '../../runtime/sources/input-connector.ts';
import { openSource } from '../../runtime/sources/open-source.ts';
import { readUntil } from '../../runtime/sources/read-batch.ts';
import type { Targets } from '../../runtime/target-connector.ts';

export interface BoundedInputOptions {
  /** Where `source.cassandraTable` reads: the cluster when one is configured, else the embedded store. */
  readonly targets: Targets;
  readonly log: (line: string) => void;
  /** A Kafka read ends when nothing new arrived for this long even though the log's end was not reached (transaction markers). */
  readonly kafkaIdleMs?: number;
  readonly connectAttempts?: number;
}

/**
 * The input of a pipeline on Beam, read whole before the job is submitted. Bounded sources are read to their end; a stream is read as its
 * connector reads it as a batch (Kafka: from the group's committed offsets to each partition's end at
 * start, committed only after every sink acknowledged).
 */
export async function readBoundedInput(pipeline: PipelineNode, options: BoundedInputOptions): Promise<BoundedRead> {
  const source = pipeline.source;
  const stream = await inputConnectorOf(source);
  if (stream) {
    if (!stream.readToEnd) throw new RunnerError(`source.${source.connector} cannot be read to an end on Beam`);
    const { log, connectAttempts, kafkaIdleMs: idleMs } = options;
    return stream.readToEnd(pipeline, { log, connectAttempts, idleMs });
  }
  const reader = openSource(source, undefined, { targets: options.targets });
  try {
    // eslint-disable-next-line @typescript-eslint/unbound-method -- readUntil's position is a closure over its parts, it uses no this
    const { values, position } = await readUntil(reader, ({ done, count }) => done || count === 0);
    return { values, position, acknowledged: async () => {}, close: async () => {} };
  } finally {
    await reader.close();
  }
}

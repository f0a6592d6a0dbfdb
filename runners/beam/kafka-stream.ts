import './node-compat.ts'; // first: Beam needs it as it loads
import * as beam from 'apache-beam';
import { rawExternalTransform } from 'apache-beam/transforms/external';
import type { SourceNode } from '../../compiler/ir/index.ts';
import { kafkaReadUrn } from '../../scripts/servers/kafka-read.ts';

/**
 * A Kafka topic read unbounded, as a streaming job reads it: idemflow's
 * cross-language read (scripts/servers/kafka-read), expanded by the run's
 * job server at `expansion` and run by Flink itself. Each element is one
 * record: `topic/partition/offset`, the watermark before it was read and the
 * value as text, a line each (`FromKafka` reads them).
 * Offsets are the group's, committed by Flink's source once a checkpoint
 * that covers them completes; the element timestamps and the watermark
 * follow the records' Kafka timestamps, by the local runner's rule
 * (IdemflowTimestampPolicy.java, IdemflowKafkaSource.java).
 */
export function kafkaStream(source: SourceNode, expansion: string) {
  const o = source.options;
  const transform = rawExternalTransform<beam.Root, beam.PCollection<string>>(
    kafkaReadUrn,
    {
      bootstrap_servers: (o.brokers as readonly string[]).join(','),
      topic: String(o.topic),
      group_id: String(o.groupId),
    },
    expansion,
  );
  // The expansion names Java's default environment with the expansion service's whole classpath (150 MB) as its
  // artifacts, which Beam's TypeScript SDK would download and stage with the job. No transform of this expansion
  // runs in that environment (Flink runs the read itself), and the cluster gets the jars it needs with the job
  // (`filesToStage`): the artifacts are dropped instead.
  (transform as unknown as { resolveArtifacts(components: Components): Promise<Components> }).resolveArtifacts = async (
    components,
  ) => {
    for (const env of Object.values(components.environments)) env.dependencies = [];
    return components;
  };
  return transform;
}

interface Components {
  readonly environments: Record<string, { dependencies: unknown[] }>;
}

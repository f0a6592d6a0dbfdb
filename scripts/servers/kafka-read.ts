/**
 * idemflow's streaming Kafka read for Beam on Flink (kafka-read/*.java): a
 * cross-language transform that Beam's Flink job server expands and Flink
 * runs natively. It needs Beam's KafkaIO and the Kafka client beside the job
 * server's jars (fetched once with mvn, beam-kafka-io-pom.xml) and is built
 * like the other extras, once per source version. The cluster's JobManager
 * and TaskManagers have the same jars on their classpath: the source runs in
 * the TaskManagers, and Beam's Flink runner copies it and its checkpoint
 * marks with Java serialization, which resolves classes in Beam's own class
 * loader, so jars sent with a job (seen only by the job's class loader) do
 * not do ("ClassNotFoundException: …IdemflowKafkaSource", measured).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildJar, type JarSpec } from './java-build.ts';
import { fetchServer, paths, type JarSource } from './service.ts';

/** The URN the registrar answers to (IdemflowKafkaRead.URN). */
export const kafkaReadUrn = 'idemflow:kafka_read:v1';

const kafkaIo: JarSource = { name: 'beam-kafka-io', pom: 'beam-kafka-io-pom.xml' };

const source = (file: string) => fileURLToPath(new URL(`kafka-read/${file}`, import.meta.url));

const kafkaRead: JarSpec = {
  name: 'kafka-read',
  label: 'streaming Kafka read jar',
  sources: [
    source('IdemflowKafkaRead.java'),
    source('IdemflowKafkaSource.java'),
    source('IdemflowTimestampPolicy.java'),
  ],
  resources: {
    'META-INF/services/org.apache.beam.sdk.expansion.ExternalTransformRegistrar':
      'org.apache.beam.sdk.io.kafka.IdemflowKafkaRead$Registrar\n',
  },
};

/**
 * The jars a streaming Kafka job needs beyond the job server's (`jobServerLib`): KafkaIO, the Kafka
 * client and the read itself, fetched and built unless they are; throws naming what failed.
 */
export async function kafkaReadJars(jobServerLib: string, log: (line: string) => void): Promise<string[]> {
  await fetchServer(kafkaIo, log);
  const lib = paths(kafkaIo).lib;
  const jars = readdirSync(lib)
    .filter((f) => f.endsWith('.jar'))
    .map((f) => join(lib, f));
  const read = await buildJar(
    kafkaRead,
    lib,
    [`${jobServerLib}/*`, `${lib}/*`].join(':'),
    'a streaming Kafka read on beam-flink needs it',
  );
  return [...jars, read];
}

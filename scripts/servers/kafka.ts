import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { host, kafkaControllerPort, kafkaPort } from './config.ts';
import { runAsync, type ServiceSpec } from './service.ts';

const log4j = fileURLToPath(new URL('kafka-log4j2.properties', import.meta.url));

/**
 * What a one-node broker needs beside its listeners: its data folder, one replica of the internal topics,
 * two partitions for auto-created topics, and no initial rebalance delay (tests join groups often).
 * Shared with the brokers tests start for themselves (test/integration/tls-kafka-server.ts).
 */
export function oneNodeSettings(dataDir: string): string[] {
  return [
    `log.dirs=${dataDir}`,
    'num.partitions=2',
    'offsets.topic.replication.factor=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=true',
  ];
}

/** Apache Kafka 4 in KRaft mode (no ZooKeeper): one process as broker and controller, 512 MiB heap. */
export const kafka: ServiceSpec = {
  name: 'kafka',
  host,
  port: kafkaPort,
  pom: 'kafka-pom.xml',
  startTimeoutMs: 90_000,
  async prepare(run, lib) {
    const config = join(run, 'server.properties');
    writeFileSync(
      config,
      [
        'process.roles=broker,controller',
        'node.id=1',
        `controller.quorum.voters=1@${host}:${kafkaControllerPort}`,
        `listeners=PLAINTEXT://${host}:${kafkaPort},CONTROLLER://${host}:${kafkaControllerPort}`,
        `advertised.listeners=PLAINTEXT://${host}:${kafkaPort}`,
        'controller.listener.names=CONTROLLER',
        'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
        'inter.broker.listener.name=PLAINTEXT',
        ...oneNodeSettings(join(run, 'data')),
        '',
      ].join('\n'),
    );
    if (existsSync(join(run, 'data', 'meta.properties'))) return;
    // KRaft storage is formatted once, with a cluster id of our own.
    const clusterIdFile = join(run, 'cluster-id');
    if (!existsSync(clusterIdFile)) writeFileSync(clusterIdFile, randomBytes(16).toString('base64url'));
    const format = await runAsync('java', [
      '-cp',
      `${lib}/*`,
      `-Dlog4j2.configurationFile=${log4j}`,
      'kafka.tools.StorageTool',
      'format',
      '-t',
      readFileSync(clusterIdFile, 'utf8').trim(),
      '-c',
      config,
    ]);
    if (format.status !== 0)
      throw new Error(`kafka: formatting storage failed: ${format.output.trim().split('\n').slice(-3).join(' | ')}`);
  },
  javaArgs: (run, lib) => [
    '-Xms256m',
    '-Xmx512m',
    '-XX:+UseG1GC',
    `-Dlog4j2.configurationFile=${log4j}`,
    '-cp',
    `${lib}/*`,
    'kafka.Kafka',
    join(run, 'server.properties'),
  ],
  async ready() {
    const admin = new Kafka({
      brokers: [`${host}:${kafkaPort}`],
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    }).admin();
    await admin.connect();
    try {
      await admin.describeCluster();
    } finally {
      await admin.disconnect();
    }
  },
};

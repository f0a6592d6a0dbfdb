import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from 'cassandra-driver';
import { cassandraPort, cassandraStoragePort, host } from './config.ts';
import type { ServiceSpec } from './service.ts';

const logback = fileURLToPath(new URL('logback.xml', import.meta.url));

/**
 * What Cassandra 5.0 needs on Java 17 when started as a plain CassandraDaemon
 * (outside its own scripts): the module exports and opens its
 * conf/jvm17-server.options lists, self-attach, and the jamm agent.
 */
const jpms = [
  ...[
    'java.base/jdk.internal.misc',
    'java.management.rmi/com.sun.jmx.remote.internal.rmi',
    'java.rmi/sun.rmi.registry',
    'java.rmi/sun.rmi.server',
    'java.sql/java.sql',
    'java.base/java.lang.ref',
    'jdk.unsupported/sun.misc',
    'jdk.compiler/com.sun.tools.javac.file',
    'jdk.attach/sun.tools.attach',
  ].flatMap((p) => ['--add-exports', `${p}=ALL-UNNAMED`]),
  ...[
    'java.base/java.lang.module',
    'java.base/jdk.internal.loader',
    'java.base/jdk.internal.ref',
    'java.base/jdk.internal.reflect',
    'java.base/jdk.internal.math',
    'java.base/jdk.internal.module',
    'java.base/jdk.internal.util.jar',
    'jdk.management/com.sun.management.internal',
    'java.base/sun.nio.ch',
    'java.base/java.io',
    'java.base/java.nio',
    'java.base/java.lang.reflect',
    'jdk.compiler/com.sun.tools.javac',
    'java.base/java.lang',
    'java.base/java.util',
  ].flatMap((p) => ['--add-opens', `${p}=ALL-UNNAMED`]),
];

/** The cassandra.yaml of one loopback node keeping its data under `run`; `extra` lines are appended. */
export function cassandraYaml(
  run: string,
  at: { host: string; nativePort: number; storagePort: number },
  extra: readonly string[] = [],
): string {
  const dir = (d: string) => join(run, d);
  return [
    'cluster_name: idemflow',
    'num_tokens: 1',
    'partitioner: org.apache.cassandra.dht.Murmur3Partitioner',
    `data_file_directories: [${dir('data')}]`,
    `commitlog_directory: ${dir('commitlog')}`,
    `saved_caches_directory: ${dir('saved_caches')}`,
    `hints_directory: ${dir('hints')}`,
    `cdc_raw_directory: ${dir('cdc_raw')}`,
    'commitlog_sync: periodic',
    'commitlog_sync_period: 10000ms',
    'seed_provider:',
    '  - class_name: org.apache.cassandra.locator.SimpleSeedProvider',
    '    parameters:',
    `      - seeds: "${at.host}:${at.storagePort}"`,
    `listen_address: ${at.host}`,
    `rpc_address: ${at.host}`,
    `storage_port: ${at.storagePort}`,
    `native_transport_port: ${at.nativePort}`,
    'start_native_transport: true',
    'endpoint_snitch: SimpleSnitch',
    'concurrent_reads: 8',
    'concurrent_writes: 8',
    'concurrent_counter_writes: 8',
    'memtable_allocation_type: heap_buffers',
    'key_cache_size: 0MiB',
    'dynamic_snitch: false',
    'hinted_handoff_enabled: false',
    'auto_snapshot: false',
    ...(extra.some((l) => l.startsWith('authenticator:'))
      ? []
      : ['authenticator: AllowAllAuthenticator', 'authorizer: AllowAllAuthorizer']),
    ...extra,
    '',
  ].join('\n');
}

/** The java command line (after `java`) of a CassandraDaemon configured by `run`/cassandra.yaml. */
export function cassandraJavaArgs(run: string, lib: string, heap = { min: '1G', max: '2G' }): string[] {
  return [
    `-Xms${heap.min}`,
    `-Xmx${heap.max}`,
    '-XX:+UseG1GC',
    '-XX:+ExitOnOutOfMemoryError',
    '-Djdk.attach.allowAttachSelf=true',
    '-Dio.netty.tryReflectionSetAccessible=true',
    ...jpms,
    `-javaagent:${join(lib, 'jamm-0.4.0.jar')}`,
    `-Dcassandra.config=file://${join(run, 'cassandra.yaml')}`,
    `-Dlogback.configurationFile=${logback}`,
    '-Dcassandra-foreground=yes',
    `-Dcassandra.storagedir=${run}`,
    '-Dcassandra.skip_wait_for_gossip_to_settle=0',
    '-Dcassandra.initial_token=0',
    '-cp',
    `${lib}/*`,
    'org.apache.cassandra.service.CassandraDaemon',
  ];
}

/** Apache Cassandra 5.0, one node on loopback, 1 GiB heap, what tests do not need turned off. */
export const cassandra: ServiceSpec = {
  name: 'cassandra',
  host,
  port: cassandraPort,
  pom: 'cassandra-pom.xml',
  startTimeoutMs: 180_000,
  prepare(run) {
    writeFileSync(
      join(run, 'cassandra.yaml'),
      cassandraYaml(run, { host, nativePort: cassandraPort, storagePort: cassandraStoragePort }),
    );
  },
  javaArgs: (run, lib) => cassandraJavaArgs(run, lib),
  async ready() {
    const client = new Client({ contactPoints: [`${host}:${cassandraPort}`], localDataCenter: 'datacenter1' });
    try {
      await client.connect();
      await client.execute('SELECT release_version FROM system.local');
    } finally {
      await client.shutdown();
    }
  },
};

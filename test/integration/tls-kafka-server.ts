import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { cacheDir } from '../../scripts/servers/config.ts';
import { oneNodeSettings } from '../../scripts/servers/kafka.ts';
import { freePort, startWatched } from './own-server.ts';
import { type Certificates, storePassword } from './tls-certificates.ts';

export interface TlsKafka {
  /** `127.0.0.1:port` of the SSL listener, which requires a client certificate signed by the test CA. */
  readonly ssl: string;
  /** `127.0.0.1:port` of the SASL_SSL listener: TLS without client certificates, SCRAM-SHA-512 logins. */
  readonly saslSsl: string;
  /** `127.0.0.1:port` of a SASL_PLAINTEXT listener (SCRAM-SHA-512 without TLS), which idemflow refuses unless told. */
  readonly saslPlaintext: string;
  /** `127.0.0.1:port` of a plain listener, for the test's own checks of the broker. */
  readonly plain: string;
  /** The broker's log (INFO: it records failed logins and handshakes). */
  readonly log: string;
  stop(): void;
}

/** server.properties of a one-node KRaft broker with plain, SSL (mutual), SASL_SSL and SASL_PLAINTEXT (SCRAM) listeners. */
function brokerProperties(run: string, certs: Certificates, ports: Record<string, number>): string {
  const at = (name: string) => `${name}://127.0.0.1:${ports[name]}`;
  const broker = ['INTERNAL', 'SSL', 'SASL_SSL', 'SASL_PLAINTEXT'];
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${ports.CONTROLLER}`,
    `listeners=${[...broker, 'CONTROLLER'].map(at).join(',')}`,
    `advertised.listeners=${broker.map(at).join(',')}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=INTERNAL:PLAINTEXT,SSL:SSL,SASL_SSL:SASL_SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=INTERNAL',
    'ssl.keystore.type=PKCS12',
    `ssl.keystore.location=${join(certs.dir, 'server.p12')}`,
    `ssl.keystore.password=${storePassword}`,
    `ssl.key.password=${storePassword}`,
    'ssl.truststore.type=PKCS12',
    `ssl.truststore.location=${join(certs.dir, 'trust.p12')}`,
    `ssl.truststore.password=${storePassword}`,
    'listener.name.ssl.ssl.client.auth=required',
    'listener.name.sasl_ssl.ssl.client.auth=none',
    'sasl.enabled.mechanisms=SCRAM-SHA-512',
    ...['sasl_ssl', 'sasl_plaintext'].map(
      (listener) =>
        `listener.name.${listener}.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;`,
    ),
    ...oneNodeSettings(join(run, 'data')),
    '',
  ].join('\n');
}

/** Kafka's logging at INFO to its stdout (the log file): failed logins and handshakes are INFO lines. */
function log4jConfig(run: string): string {
  const path = join(run, 'log4j2.properties');
  writeFileSync(
    path,
    [
      'rootLogger.level = INFO',
      'rootLogger.appenderRef.stdout.ref = STDOUT',
      'appender.stdout.type = Console',
      'appender.stdout.name = STDOUT',
      'appender.stdout.layout.type = PatternLayout',
      'appender.stdout.layout.pattern = %d{HH:mm:ss.SSS} %-5p %c{1} - %m%n',
      '',
    ].join('\n'),
  );
  return path;
}

/** Runs a short java tool to its end; rejects with its output's tail (never with its arguments). */
function runJava(args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`java ${args.at(-1)} exited ${code}: ${output.slice(-1_500)}`)),
    );
  });
}

/**
 * Starts a Kafka broker of our own (Kafka 4 in KRaft mode, from the jars `scripts/services` fetched) on free
 * loopback ports, with the SCRAM-SHA-512 user `user` created while its storage is formatted. A shell
 * watchdog kills it when this process dies, however it dies.
 */
export async function startTlsKafka(
  run: string,
  certs: Certificates,
  user: { readonly name: string; readonly password: string },
): Promise<TlsKafka> {
  const ports: Record<string, number> = {};
  for (const name of ['INTERNAL', 'SSL', 'SASL_SSL', 'SASL_PLAINTEXT', 'CONTROLLER']) ports[name] = await freePort();
  mkdirSync(run, { recursive: true });
  const config = join(run, 'server.properties');
  writeFileSync(config, brokerProperties(run, certs, ports));
  const lib = `${join(cacheDir, 'kafka', 'lib')}/*`;
  const log4j = `-Dlog4j2.configurationFile=${log4jConfig(run)}`;
  const scram = `SCRAM-SHA-512=[name=${user.name},password=${user.password}]`;
  const format = ['-cp', lib, log4j, 'kafka.tools.StorageTool', 'format'];
  await runJava([...format, '-t', randomBytes(16).toString('base64url'), '--add-scram', scram, '-c', config]);
  const log = join(run, 'kafka.log');
  const server = startWatched(
    'java',
    ['-Xms128m', '-Xmx384m', '-XX:+UseG1GC', log4j, '-cp', lib, 'kafka.Kafka', config],
    log,
  );
  const plain = `127.0.0.1:${ports.INTERNAL}`;
  await waitFor(plain, server.exited, log).catch((error) => {
    server.stop();
    throw error;
  });
  return {
    ssl: `127.0.0.1:${ports.SSL}`,
    saslSsl: `127.0.0.1:${ports.SASL_SSL}`,
    saslPlaintext: `127.0.0.1:${ports.SASL_PLAINTEXT}`,
    plain,
    log,
    stop: server.stop,
  };
}

/**
 * Creates `topic` (2 partitions) and the group coordinator's offsets topic through the plain listener. A fresh
 * broker creates both on first use, which on a loaded machine takes longer than kafkajs's few retries wait
 * ("This server does not host this topic-partition", "Failed to find group coordinator"): not what is tested here.
 */
export async function prepareTopic(kafka: TlsKafka, topic: string): Promise<void> {
  const admin = new Kafka({ brokers: [kafka.plain], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    const deadline = Date.now() + 120_000;
    for (;;) {
      try {
        await admin.describeGroups(['idemflow-warm-up']);
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
  } finally {
    await admin.disconnect();
  }
}

async function waitFor(plain: string, exited: () => boolean, log: string): Promise<void> {
  const deadline = Date.now() + 180_000;
  let last: unknown;
  while (Date.now() < deadline) {
    if (exited()) throw new Error(`TLS Kafka exited while starting: ${readFileSync(log, 'utf8').slice(-2_000)}`);
    const admin = new Kafka({ brokers: [plain], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
    try {
      await admin.connect();
      await admin.describeCluster();
      return;
    } catch (error) {
      last = error;
    } finally {
      await admin.disconnect().catch(() => {});
    }
    await new Promise((r) => setTimeout(r, 1_000));
  }
  throw new Error(`TLS Kafka not ready in 180 s (${(last as Error)?.message}); see ${log}`);
}

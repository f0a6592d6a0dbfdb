import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCredentials, secretValues } from '../../../connectors/credentials.ts';
import { kafkaClientConfig } from '../../../connectors/kafka/kafka-input.ts';
import { runCli } from '../../helpers/run-cli.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

function configFile(content: unknown): string {
  const path = join(tempDir(), 'idemflow.json');
  writeFileSync(path, JSON.stringify(content));
  return path;
}

const keyPassword = 'KafkaKeyPa55-never-shown-4417';
const saslPassword = 'SaslPa55-never-shown-8820';
const pem =
  '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n';

describe('Kafka TLS settings', () => {
  it('are off unless configured; a TLS variable, kafka.tls, kafka.ssl: true or IDEMFLOW_KAFKA_TLS=true turns them on', () => {
    expect(loadCredentials({}).kafkaTls).toBeUndefined();
    expect(kafkaClientConfig('c', ['h:1'], {}).ssl).toBe(false);
    expect(loadCredentials({ IDEMFLOW_KAFKA_TLS: 'no' }).kafkaTls).toBeUndefined();
    expect(loadCredentials({ IDEMFLOW_KAFKA_TLS: 'true' }).kafkaTls).toEqual({});
    expect(loadCredentials({ IDEMFLOW_KAFKA_TLS_CA: '/etc/ca.pem' }).kafkaTls).toEqual({ ca: '/etc/ca.pem' });
    expect(loadCredentials({ IDEMFLOW_CONFIG: configFile({ kafka: { tls: {} } }) }).kafkaTls).toEqual({});
    expect(loadCredentials({ IDEMFLOW_CONFIG: configFile({ kafka: { ssl: true } }) }).kafkaTls).toEqual({});
    expect(loadCredentials({ IDEMFLOW_CONFIG: configFile({ kafka: { ssl: false } }) }).kafkaTls).toBeUndefined();
    // Cassandra's variables do not turn on Kafka's TLS, nor the reverse.
    expect(loadCredentials({ IDEMFLOW_CASSANDRA_TLS_CA: '/c.pem' }).kafkaTls).toBeUndefined();
    expect(loadCredentials({ IDEMFLOW_KAFKA_TLS_CA: '/k.pem' }).cassandraTls).toBeUndefined();
  });

  it('come from the config file, each environment variable winning over its key; SASL and TLS each alone', () => {
    const path = configFile({
      kafka: {
        sasl: { mechanism: 'scram-sha-256', username: 'app', password: saslPassword },
        tls: { ca: '/f/ca.pem', cert: '/f/c.pem', key: '/f/c.key', keyPassword, serverName: 'kafka.internal' },
      },
    });
    const fromFile = loadCredentials({ IDEMFLOW_CONFIG: path });
    expect(fromFile.kafkaTls).toEqual({
      ca: '/f/ca.pem',
      cert: '/f/c.pem',
      key: '/f/c.key',
      keyPassword,
      serverName: 'kafka.internal',
    });
    expect(fromFile.kafka?.sasl).toEqual({ mechanism: 'scram-sha-256', username: 'app', password: saslPassword });
    expect(
      loadCredentials({ IDEMFLOW_CONFIG: path, IDEMFLOW_KAFKA_TLS_CA: '/e/ca.pem', IDEMFLOW_KAFKA_TLS_SERVERNAME: 'x' })
        .kafkaTls,
    ).toMatchObject({ ca: '/e/ca.pem', cert: '/f/c.pem', serverName: 'x' });
    const tlsOnly = loadCredentials({ IDEMFLOW_CONFIG: configFile({ kafka: { tls: { ca: '/x' } } }) });
    expect(tlsOnly).toEqual({ kafkaTls: { ca: '/x' } });
    expect(() => loadCredentials({ IDEMFLOW_CONFIG: configFile({ kafka: { tls: { cafile: '/x' } } }) })).toThrow(
      /kafka\.tls: Unrecognized key: "cafile"/,
    );
    expect(secretValues({ IDEMFLOW_CONFIG: path })).toEqual(expect.arrayContaining([keyPassword, saslPassword]));
  });

  it('a certificate without its key, or PEM text where a path belongs, is a clear error naming the Kafka variable', () => {
    expect(() => loadCredentials({ IDEMFLOW_KAFKA_TLS_KEY: '/c.key' })).toThrow(
      /^Kafka TLS: a client certificate needs its key .*IDEMFLOW_KAFKA_TLS_CERT .*kafka\.tls\.cert/,
    );
    let message = '';
    try {
      loadCredentials({ IDEMFLOW_KAFKA_TLS_CA: pem });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^IDEMFLOW_KAFKA_TLS_CA \(or kafka\.tls\.ca in IDEMFLOW_CONFIG\) must be the path/);
    expect(message).not.toContain('MIGHAgEA');
  });

  it('kafkajs gets the PEM text (strings: they cross to the consumer thread), server name and verification on', () => {
    const dir = tempDir();
    for (const name of ['ca.pem', 'c.pem', 'c.key']) writeFileSync(join(dir, name), `PEM of ${name}`);
    const tls = { ca: join(dir, 'ca.pem'), cert: join(dir, 'c.pem'), key: join(dir, 'c.key'), keyPassword };
    const config = kafkaClientConfig('c', ['h:1'], { kafkaTls: { ...tls, serverName: 'kafka.internal' } });
    expect(config.ssl).toEqual({
      ca: 'PEM of ca.pem',
      cert: 'PEM of c.pem',
      key: 'PEM of c.key',
      passphrase: keyPassword,
      servername: 'kafka.internal',
      rejectUnauthorized: true,
    });
    expect(config).not.toHaveProperty('sasl');
    expect(() => kafkaClientConfig('c', ['h:1'], { kafkaTls: { ca: join(dir, 'nope.pem') } })).toThrow(
      `cannot read ${join(dir, 'nope.pem')}, named by IDEMFLOW_KAFKA_TLS_CA (or kafka.tls.ca in IDEMFLOW_CONFIG): ENOENT`,
    );
  });

  it('SASL without TLS is refused, saying what would cross the network in clear, unless explicitly allowed', () => {
    const plain = { kafka: { sasl: { mechanism: 'plain' as const, username: 'u', password: saslPassword } } };
    let message = '';
    try {
      kafkaClientConfig('c', ['kafka.internal:9092'], plain, {});
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(
      /^Kafka SASL \(plain\) is configured without TLS: every connection to kafka\.internal:9092 would send the password itself in clear text .*IDEMFLOW_KAFKA_TLS_CA.*IDEMFLOW_KAFKA_ALLOW_PLAINTEXT_SASL=1$/,
    );
    expect(message).not.toContain(saslPassword);
    const scram = { kafka: { sasl: { ...plain.kafka.sasl, mechanism: 'scram-sha-512' as const } } };
    expect(() => kafkaClientConfig('c', ['h:1'], scram, { IDEMFLOW_KAFKA_ALLOW_PLAINTEXT_SASL: '0' })).toThrow(
      /SCRAM exchange \(open to offline guessing/,
    );
    expect(kafkaClientConfig('c', ['h:1'], scram, { IDEMFLOW_KAFKA_ALLOW_PLAINTEXT_SASL: '1' })).toMatchObject({
      sasl: { mechanism: 'scram-sha-512' },
      ssl: false,
    });
    expect(kafkaClientConfig('c', ['h:1'], { ...scram, kafkaTls: {} }, {}).ssl).toMatchObject({
      rejectUnauthorized: true,
    });
  });

  it('--print-config shows the paths and hides the key and SASL passwords; PEM text is never printed', () => {
    const env = {
      IDEMFLOW_KAFKA_TLS_CA: '/etc/idemflow/kafka-ca.pem',
      IDEMFLOW_KAFKA_TLS_CERT: '/etc/idemflow/kafka-client.pem',
      IDEMFLOW_KAFKA_TLS_KEY: '/etc/idemflow/kafka-client.key',
      IDEMFLOW_KAFKA_TLS_KEY_PASSWORD: keyPassword,
      IDEMFLOW_KAFKA_TLS_SERVERNAME: 'kafka.internal',
      IDEMFLOW_KAFKA_SASL_MECHANISM: 'scram-sha-512',
      IDEMFLOW_KAFKA_SASL_USERNAME: 'app',
      IDEMFLOW_KAFKA_SASL_PASSWORD: saslPassword,
    };
    const args = ['run', 'pipelines/demo/sensor-aggregates.ts', '--print-config'];
    const r = runCli(args, { env });
    expect(r.status).toBe(0);
    const config = JSON.parse(r.stdout) as Record<string, unknown> & { environment: Record<string, string> };
    expect(config.kafkaTls).toEqual({
      ca: '/etc/idemflow/kafka-ca.pem',
      cert: '/etc/idemflow/kafka-client.pem',
      key: '/etc/idemflow/kafka-client.key',
      keyPassword: '***set***',
      serverName: 'kafka.internal',
      verifyHostname: true,
    });
    expect(config.kafkaSasl).toEqual({ mechanism: 'scram-sha-512', username: 'app', password: '***set***' });
    expect(config.environment.IDEMFLOW_KAFKA_TLS_KEY_PASSWORD).toBe('***set***');
    expect(config.environment.IDEMFLOW_KAFKA_SASL_PASSWORD).toBe('***set***');
    // The mechanism and the user name are not secret: shown, as Cassandra's user name is.
    expect(config.environment.IDEMFLOW_KAFKA_SASL_USERNAME).toBe('app');
    expect(config.environment.IDEMFLOW_KAFKA_SASL_MECHANISM).toBe('scram-sha-512');
    expect(config.environment.IDEMFLOW_KAFKA_TLS_CA).toBe('/etc/idemflow/kafka-ca.pem');
    expect(r.stdout + r.stderr).not.toContain(keyPassword);
    expect(r.stdout + r.stderr).not.toContain(saslPassword);

    const pasted = runCli(args, { env: { ...env, IDEMFLOW_KAFKA_TLS_CERT: pem } });
    expect(pasted.status).toBe(2);
    expect(pasted.stderr).toMatch(/IDEMFLOW_KAFKA_TLS_CERT .*must be the path of a PEM file, not its content/);
    expect(pasted.stdout + pasted.stderr).not.toContain('MIGHAgEA');
    expect(pasted.stdout + pasted.stderr).not.toContain(saslPassword);
  });
});

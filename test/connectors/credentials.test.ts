import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCredentials, secretValues } from '../../connectors/credentials.ts';
import { kafkaClientConfig } from '../../connectors/kafka/kafka-input.ts';
import { runCli } from '../helpers/run-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';

function configFile(content: unknown): string {
  const path = join(tempDir(), 'idemflow.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

const secret = 'cfg-S3CRET-never-shown';

describe('credentials', () => {
  it('come from the config file, and the environment wins over it', () => {
    const path = configFile({
      cassandra: { username: 'app', password: secret },
      kafka: { sasl: { mechanism: 'scram-sha-512', username: 'k', password: 'kpass' } },
    });
    expect(loadCredentials({ IDEMFLOW_CONFIG: path })).toEqual({
      cassandra: { username: 'app', password: secret },
      kafka: { sasl: { mechanism: 'scram-sha-512', username: 'k', password: 'kpass' } },
    });
    expect(
      loadCredentials({ IDEMFLOW_CONFIG: path, IDEMFLOW_CASSANDRA_PASSWORD: 'from-env' }).cassandra?.password,
    ).toBe('from-env');
    expect(loadCredentials({})).toEqual({});
  });

  it('a bad config file is one clear error naming the file and the field', () => {
    expect(() => loadCredentials({ IDEMFLOW_CONFIG: '/nope.json' })).toThrow(
      'config file /nope.json (IDEMFLOW_CONFIG) does not exist',
    );
    expect(() => loadCredentials({ IDEMFLOW_CONFIG: configFile('{oops') })).toThrow(/is not JSON/);
    expect(() => loadCredentials({ IDEMFLOW_CONFIG: configFile({ cassandra: { username: 'a' } }) })).toThrow(
      /: cassandra\.password: /,
    );
    expect(() =>
      loadCredentials({
        IDEMFLOW_CONFIG: configFile({ kafka: { sasl: { mechanism: 'gssapi', username: 'a', password: 'b' } } }),
      }),
    ).toThrow(/: kafka\.sasl\.mechanism: /);
    expect(() =>
      loadCredentials({ IDEMFLOW_CONFIG: configFile({ cassandra: { username: 'a', password: 'b' }, extra: 1 }) }),
    ).toThrow(/Unrecognized key/);
    expect(() =>
      loadCredentials({
        IDEMFLOW_KAFKA_SASL_MECHANISM: 'md5',
        IDEMFLOW_KAFKA_SASL_USERNAME: 'a',
        IDEMFLOW_KAFKA_SASL_PASSWORD: 'b',
      }),
    ).toThrow(/must be plain, scram-sha-256 or scram-sha-512, got "md5"/);
  });

  it('an empty variable counts as unset: it does not wipe out the config file (a CI secret the job cannot see is "")', () => {
    const path = configFile({
      cassandra: { username: 'app', password: secret },
      kafka: { sasl: { mechanism: 'scram-sha-512', username: 'k', password: 'kpass' } },
    });
    const empty = {
      IDEMFLOW_CONFIG: path,
      IDEMFLOW_CASSANDRA_USERNAME: '',
      IDEMFLOW_CASSANDRA_PASSWORD: '',
      IDEMFLOW_KAFKA_SASL_MECHANISM: '',
      IDEMFLOW_KAFKA_SASL_USERNAME: '',
      IDEMFLOW_KAFKA_SASL_PASSWORD: '',
    };
    expect(loadCredentials(empty)).toEqual({
      cassandra: { username: 'app', password: secret },
      kafka: { sasl: { mechanism: 'scram-sha-512', username: 'k', password: 'kpass' } },
    });
    expect(loadCredentials({ IDEMFLOW_CASSANDRA_USERNAME: '', IDEMFLOW_CASSANDRA_PASSWORD: '' })).toEqual({});
  });

  it('a login set only in part is refused, naming what is missing, instead of connecting without it', () => {
    expect(() => loadCredentials({ IDEMFLOW_CASSANDRA_USERNAME: 'app', IDEMFLOW_CASSANDRA_PASSWORD: '' })).toThrow(
      'Cassandra login: IDEMFLOW_CASSANDRA_USERNAME (cassandra.username) is set but IDEMFLOW_CASSANDRA_PASSWORD (cassandra.password) is not (an empty variable counts as unset); set all of them, or none',
    );
    expect(() =>
      loadCredentials({ IDEMFLOW_KAFKA_SASL_MECHANISM: 'plain', IDEMFLOW_KAFKA_SASL_USERNAME: 'k' }),
    ).toThrow(
      /^Kafka SASL: IDEMFLOW_KAFKA_SASL_MECHANISM \(kafka\.sasl\.mechanism\) and IDEMFLOW_KAFKA_SASL_USERNAME \(kafka\.sasl\.username\) are set but IDEMFLOW_KAFKA_SASL_PASSWORD \(kafka\.sasl\.password\) is not/,
    );
    expect(() => loadCredentials({ IDEMFLOW_KAFKA_SASL_PASSWORD: 'orphan-password' })).toThrow(
      /^Kafka SASL: IDEMFLOW_KAFKA_SASL_PASSWORD \(kafka\.sasl\.password\) is set but .*MECHANISM.* and .*USERNAME.* are not/,
    );
    // The refusal does not stop the file's secrets from being redacted in what is printed.
    const path = configFile({ cassandra: { username: 'app', password: secret } });
    expect(secretValues({ IDEMFLOW_CONFIG: path, IDEMFLOW_KAFKA_SASL_USERNAME: 'k' })).toContain(secret);
  });

  it('Kafka clients get SASL only when it is configured', () => {
    expect(kafkaClientConfig('c', ['h:1'], {})).not.toHaveProperty('sasl');
    const config = kafkaClientConfig('c', ['h:1'], {
      kafka: { sasl: { mechanism: 'plain', username: 'u', password: 'p' } },
      kafkaTls: {},
    });
    expect(config).toMatchObject({
      sasl: { mechanism: 'plain', username: 'u', password: 'p' },
      ssl: { rejectUnauthorized: true },
    });
  });

  it('--print-config redacts secrets from the config file too, and a broken file is exit 2', () => {
    const path = configFile({
      cassandra: { username: 'app', password: secret },
      kafka: { sasl: { mechanism: 'plain', username: 'k', password: secret } },
    });
    const r = runCli(
      ['run', 'pipelines/demo/sensor-aggregates.ts', '--print-config', '--cassandra', '127.0.0.1:9042'],
      { env: { IDEMFLOW_CONFIG: path } },
    );
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      configFile: path,
      cassandra: { username: 'app', password: '***set***' },
      kafkaSasl: { mechanism: 'plain', username: 'k', password: '***set***' },
    });
    expect(r.stdout + r.stderr).not.toContain(secret);
    const broken = runCli(['run', 'pipelines/demo/sensor-aggregates.ts', '--print-config'], {
      env: { IDEMFLOW_CONFIG: configFile({ cassandra: { username: 'a' } }) },
    });
    expect(broken.status).toBe(2);
    expect(broken.stderr).toMatch(/^idemflow: config file .*: cassandra\.password: /);
  });
});

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCredentials } from '../../../connectors/credentials.ts';
import { tlsConnectionOptions } from '../../../connectors/cassandra/tls-settings.ts';
import { runCli } from '../../helpers/run-cli.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

function configFile(content: unknown): string {
  const path = join(tempDir(), 'idemflow.json');
  writeFileSync(path, JSON.stringify(content));
  return path;
}

const keyPassword = 'KeyPa55-never-shown-9931';
const pem =
  '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n';

describe('Cassandra TLS settings', () => {
  it('are off unless configured; any TLS variable, a tls section or IDEMFLOW_CASSANDRA_TLS=true turns them on', () => {
    expect(loadCredentials({}).cassandraTls).toBeUndefined();
    expect(loadCredentials({ IDEMFLOW_CASSANDRA_TLS: 'false' }).cassandraTls).toBeUndefined();
    expect(loadCredentials({ IDEMFLOW_CASSANDRA_TLS: 'true' }).cassandraTls).toEqual({});
    expect(loadCredentials({ IDEMFLOW_CASSANDRA_TLS_CA: '/etc/ca.pem' }).cassandraTls).toEqual({ ca: '/etc/ca.pem' });
    expect(loadCredentials({ IDEMFLOW_CONFIG: configFile({ cassandra: { tls: {} } }) }).cassandraTls).toEqual({});
  });

  it('come from the config file, each environment variable winning over its key', () => {
    const path = configFile({
      cassandra: {
        username: 'app',
        password: 'file-pw-1234',
        tls: { ca: '/f/ca.pem', cert: '/f/c.pem', key: '/f/c.key', keyPassword, serverName: 'db.internal' },
      },
    });
    expect(loadCredentials({ IDEMFLOW_CONFIG: path }).cassandraTls).toEqual({
      ca: '/f/ca.pem',
      cert: '/f/c.pem',
      key: '/f/c.key',
      keyPassword,
      serverName: 'db.internal',
    });
    expect(
      loadCredentials({
        IDEMFLOW_CONFIG: path,
        IDEMFLOW_CASSANDRA_TLS_CA: '/e/ca.pem',
        IDEMFLOW_CASSANDRA_TLS_SERVERNAME: 'x',
      }).cassandraTls,
    ).toMatchObject({ ca: '/e/ca.pem', cert: '/f/c.pem', serverName: 'x' });
    // TLS alone, without credentials, is a valid file; a lone username is not.
    expect(
      loadCredentials({ IDEMFLOW_CONFIG: configFile({ cassandra: { tls: { ca: '/x' } } }) }).cassandra,
    ).toBeUndefined();
    expect(() => loadCredentials({ IDEMFLOW_CONFIG: configFile({ cassandra: { username: 'a' } }) })).toThrow(
      /: cassandra\.password: Required/,
    );
    expect(() => loadCredentials({ IDEMFLOW_CONFIG: configFile({ cassandra: { tls: { cafile: '/x' } } }) })).toThrow(
      /cassandra\.tls: Unrecognized key: "cafile"/,
    );
  });

  it('a certificate without its key, or PEM text where a path belongs, is a clear error that shows no key', () => {
    expect(() => loadCredentials({ IDEMFLOW_CASSANDRA_TLS_CERT: '/c.pem' })).toThrow(
      /a client certificate needs its key .*IDEMFLOW_CASSANDRA_TLS_KEY/,
    );
    let message = '';
    try {
      loadCredentials({ IDEMFLOW_CASSANDRA_TLS_CERT: '/c.pem', IDEMFLOW_CASSANDRA_TLS_KEY: pem });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/IDEMFLOW_CASSANDRA_TLS_KEY .* must be the path of a PEM file, not its content/);
    expect(message).not.toContain('MIGHAgEA');
  });

  it('the files are read when connecting, and a missing one names its variable and path', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'ca.pem'), 'CA');
    const options = tlsConnectionOptions({ ca: join(dir, 'ca.pem'), serverName: 'db.internal' });
    expect(options).toMatchObject({ servername: 'db.internal', rejectUnauthorized: true });
    expect(String(options.ca)).toBe('CA');
    expect(() => tlsConnectionOptions({ ca: join(dir, 'nope.pem') })).toThrow(
      `cannot read ${join(dir, 'nope.pem')}, named by IDEMFLOW_CASSANDRA_TLS_CA (or cassandra.tls.ca in IDEMFLOW_CONFIG): ENOENT`,
    );
  });

  it('--print-config shows the paths and hides the key password; PEM text in a variable is never printed', () => {
    const env = {
      IDEMFLOW_CASSANDRA_TLS_CA: '/etc/idemflow/ca.pem',
      IDEMFLOW_CASSANDRA_TLS_CERT: '/etc/idemflow/client.pem',
      IDEMFLOW_CASSANDRA_TLS_KEY: '/etc/idemflow/client.key',
      IDEMFLOW_CASSANDRA_TLS_KEY_PASSWORD: keyPassword,
    };
    const args = ['run', 'pipelines/demo/sensor-aggregates.ts', '--print-config', '--cassandra', '127.0.0.1:9042'];
    const r = runCli(args, { env });
    expect(r.status).toBe(0);
    const config = JSON.parse(r.stdout) as { cassandra: { tls: unknown }; environment: Record<string, string> };
    expect(config.cassandra.tls).toEqual({
      ca: '/etc/idemflow/ca.pem',
      cert: '/etc/idemflow/client.pem',
      key: '/etc/idemflow/client.key',
      keyPassword: '***set***',
      verifyHostname: true,
    });
    expect(config.environment.IDEMFLOW_CASSANDRA_TLS_KEY_PASSWORD).toBe('***set***');
    expect(r.stdout + r.stderr).not.toContain(keyPassword);

    const pasted = runCli(args, { env: { ...env, IDEMFLOW_CASSANDRA_TLS_KEY: pem } });
    expect(pasted.status).toBe(2);
    expect(pasted.stderr).toMatch(/IDEMFLOW_CASSANDRA_TLS_KEY .*must be the path of a PEM file, not its content/);
    expect(pasted.stdout + pasted.stderr).not.toContain('MIGHAgEA');
  });
});

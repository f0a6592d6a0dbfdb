import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, auth } from 'cassandra-driver';
import { cassandraJavaArgs, cassandraYaml } from '../../scripts/servers/cassandra.ts';
import { cacheDir } from '../../scripts/servers/config.ts';
import { freePort, startWatched } from './own-server.ts';
import { type Certificates, storePassword } from './tls-certificates.ts';

export interface TlsCassandra {
  readonly contactPoint: string;
  readonly log: string;
  /** A superuser client over mutual TLS. */
  admin(): Promise<Client>;
  stop(): void;
}

/**
 * Starts a Cassandra of our own on free loopback ports that requires TLS with a client certificate
 * and a password. A shell watchdog kills it when this process dies, however it dies (even kill -9).
 */
export async function startTlsCassandra(run: string, certs: Certificates): Promise<TlsCassandra> {
  const [nativePort, storagePort, jmxPort] = [await freePort(), await freePort(), await freePort()];
  mkdirSync(run, { recursive: true });
  const encryption = [
    'client_encryption_options:',
    '  enabled: true',
    '  optional: false',
    `  keystore: ${join(certs.dir, 'server.p12')}`,
    `  keystore_password: ${storePassword}`,
    '  store_type: PKCS12',
    '  require_client_auth: true',
    `  truststore: ${join(certs.dir, 'trust.p12')}`,
    `  truststore_password: ${storePassword}`,
    'authenticator: PasswordAuthenticator',
    'authorizer: AllowAllAuthorizer',
  ];
  writeFileSync(
    join(run, 'cassandra.yaml'),
    cassandraYaml(run, { host: '127.0.0.1', nativePort, storagePort }, encryption),
  );
  const lib = join(cacheDir, 'cassandra', 'lib');
  const java = [
    `-Dcassandra.jmx.local.port=${jmxPort}`,
    '-Dcassandra.superuser_setup_delay_ms=0',
    ...cassandraJavaArgs(run, lib, { min: '512M', max: '1G' }),
  ];
  const log = join(run, 'cassandra.log');
  const server = startWatched('java', java, log);
  const contactPoint = `127.0.0.1:${nativePort}`;
  const admin = async () => {
    const client = new Client({
      contactPoints: [contactPoint],
      localDataCenter: 'datacenter1',
      authProvider: new auth.PlainTextAuthProvider('cassandra', 'cassandra'),
      sslOptions: {
        ca: readFileSync(certs.ca),
        cert: readFileSync(certs.clientCert),
        key: readFileSync(certs.clientKey),
      },
    });
    await client.connect();
    return client;
  };
  await waitFor(admin, server.exited, log).catch((error) => {
    server.stop();
    throw error;
  });
  return { contactPoint, log, admin, stop: server.stop };
}

async function waitFor(admin: () => Promise<Client>, exited: () => boolean, log: string): Promise<void> {
  const deadline = Date.now() + 300_000;
  let last: unknown;
  while (Date.now() < deadline) {
    if (exited()) throw new Error(`TLS Cassandra exited while starting: ${readFileSync(log, 'utf8').slice(-2_000)}`);
    try {
      const client = await admin();
      await client.shutdown();
      return;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 2_000));
  }
  throw new Error(`TLS Cassandra not ready in 300 s (${(last as Error)?.message}); see ${log}`);
}

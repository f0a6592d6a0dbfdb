import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Client, auth } from 'cassandra-driver';
import { cassandraJavaArgs, cassandraYaml } from '../../scripts/servers/cassandra.ts';
import { cacheDir } from '../../scripts/servers/config.ts';

const storePassword = 'changeit';

function sh(command: string, args: readonly string[], cwd: string): void {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${r.stderr}`);
}

/** A key and a certificate signed by `ca` (or self-signed when `ca` is undefined), with `san` as subjectAltName. */
function issue(dir: string, name: string, ca: string | undefined, san: string, usage: string): void {
  sh('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`], dir);
  const ext = [`subjectAltName=${san}`, `extendedKeyUsage=${usage}`];
  if (!ca) ext.push('basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign');
  writeFileSync(join(dir, `${name}.ext`), `${ext.join('\n')}\n`);
  if (!ca) {
    sh(
      'openssl',
      ['req', '-new', '-x509', '-key', `${name}.key`, '-out', `${name}.pem`, '-days', '2'].concat([
        '-subj',
        `/CN=${name}`,
        '-extensions',
        'v3',
        '-config',
        writeReqConfig(dir, name, ext),
      ]),
      dir,
    );
    return;
  }
  sh('openssl', ['req', '-new', '-key', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`], dir);
  sh(
    'openssl',
    ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial'].concat([
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
    ]),
    dir,
  );
}

function writeReqConfig(dir: string, name: string, ext: readonly string[]): string {
  const path = join(dir, `${name}.cnf`);
  writeFileSync(path, ['[req]', 'distinguished_name=dn', '[dn]', '[v3]', ...ext, ''].join('\n'));
  return path;
}

export interface Certificates {
  readonly dir: string;
  /** The CA the server's certificate and the good client certificate are signed by. */
  readonly ca: string;
  readonly clientCert: string;
  readonly clientKey: string;
  /** A client certificate from another CA, which the server must refuse. */
  readonly rogueCert: string;
  readonly rogueKey: string;
}

/** Generates a CA, a server certificate for 127.0.0.1/localhost, and good and rogue client certificates. */
export function makeCertificates(dir: string): Certificates {
  issue(dir, 'ca', undefined, 'DNS:idemflow-test-ca', 'serverAuth');
  issue(dir, 'server', 'ca', 'IP:127.0.0.1,DNS:localhost', 'serverAuth');
  issue(dir, 'client', 'ca', 'DNS:idemflow-client', 'clientAuth');
  issue(dir, 'rogue-ca', undefined, 'DNS:rogue-ca', 'serverAuth');
  issue(dir, 'rogue', 'rogue-ca', 'DNS:idemflow-client', 'clientAuth');
  sh(
    'openssl',
    ['pkcs12', '-export', '-in', 'server.pem', '-inkey', 'server.key', '-certfile', 'ca.pem'].concat([
      '-name',
      'server',
      '-out',
      'server.p12',
      '-passout',
      `pass:${storePassword}`,
    ]),
    dir,
  );
  sh(
    'keytool',
    ['-importcert', '-noprompt', '-alias', 'ca', '-file', 'ca.pem', '-storetype', 'PKCS12'].concat([
      '-keystore',
      'trust.p12',
      '-storepass',
      storePassword,
    ]),
    dir,
  );
  const at = (f: string) => join(dir, f);
  return {
    dir,
    ca: at('ca.pem'),
    clientCert: at('client.pem'),
    clientKey: at('client.key'),
    rogueCert: at('rogue.pem'),
    rogueKey: at('rogue.key'),
  };
}

/** A free loopback port: the kernel picks one, we release it for the server (a race we accept in tests). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

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
  const out = openSync(log, 'a');
  const watchdog = `"$@" & j=$!; while kill -0 ${process.pid} 2>/dev/null && kill -0 $j 2>/dev/null; do sleep 1; done; kill -9 $j 2>/dev/null`;
  const child = spawn('bash', ['-c', watchdog, 'watchdog', 'java', ...java], {
    stdio: ['ignore', out, out],
    detached: true,
  });
  const stop = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  process.once('exit', stop);
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
  await waitFor(admin, () => child.exitCode !== null, log).catch((error) => {
    stop();
    throw error;
  });
  return { contactPoint, log, admin, stop };
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

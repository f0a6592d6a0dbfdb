import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.ts';
import { writeGeneratedPipeline } from './generated-pipeline.ts';
import { runId, selectAll } from './servers.ts';
import { archived } from './archived.ts';
import { type TlsCassandra, startTlsCassandra } from './tls-cassandra-server.ts';
import { type Certificates, makeCertificates } from './tls-certificates.ts';

// A Cassandra of our own (not the shared one) requiring TLS, a client certificate and a password.
const id = runId();
const password = `Tls-App-Pw-${id}`;
const wrongPassword = `Wrong-Pw-${id}`;
const dir = mkdtempSync(join(tmpdir(), 'idemflow-cassandra-tls-'));
const pipeline = writeGeneratedPipeline(
  'cassandra-tls',
  id,
  { keyspace: 'idemflow_tls', events: 'events', counts: 'counts' },
  5,
);

let certs: Certificates;
let server: TlsCassandra | undefined;

beforeAll(async () => {
  certs = makeCertificates(dir);
  server = await startTlsCassandra(join(dir, 'run'), certs);
  const admin = await server.admin();
  try {
    await admin.execute(`CREATE ROLE idemflow_app WITH PASSWORD = '${password}' AND LOGIN = true`);
  } finally {
    await admin.shutdown();
  }
}, 420_000);

afterAll(() => {
  server?.stop();
  rmSync(dir, { recursive: true, force: true });
  rmSync(pipeline, { force: true });
});

const good = () => ({
  IDEMFLOW_CASSANDRA_USERNAME: 'idemflow_app',
  IDEMFLOW_CASSANDRA_PASSWORD: password,
  IDEMFLOW_CASSANDRA_TLS_CA: certs.ca,
  IDEMFLOW_CASSANDRA_TLS_CERT: certs.clientCert,
  IDEMFLOW_CASSANDRA_TLS_KEY: certs.clientKey,
});

/** `run` against our server: mutual TLS and the app's password unless `env` says otherwise. */
function run(env: NodeJS.ProcessEnv, extra: readonly string[] = [], base: NodeJS.ProcessEnv = good()) {
  const store = mkdtempSync(join(dir, 'store-'));
  return runCli(['run', pipeline, '--cassandra', server!.contactPoint, '--store', store, '-q', ...extra], {
    env: { ...base, ...env },
  });
}

describe('Cassandra over TLS with client certificates and passwords, on a server that requires both', () => {
  it('a pipeline writes through mutual TLS with a password; every row arrives', async () => {
    const r = run({});
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/idemflow_tls\.events: 3,000 rows written/);
    const admin = await server!.admin();
    try {
      expect(await archived(admin, 'idemflow_tls', 'events')).toHaveLength(3_000);
      const counts = await selectAll(admin, 'SELECT measurements FROM idemflow_tls.counts');
      expect(counts.reduce((sum, row) => sum + Number(row.measurements), 0)).toBe(3_000);
    } finally {
      await admin.shutdown();
    }
  }, 120_000);

  it('the same from the IDEMFLOW_CONFIG file alone', () => {
    const config = join(dir, 'idemflow.json');
    writeFileSync(
      config,
      JSON.stringify({
        cassandra: {
          username: 'idemflow_app',
          password,
          tls: { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey, serverName: 'localhost' },
        },
      }),
    );
    const r = run({ IDEMFLOW_CONFIG: config }, [], {});
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/idemflow_tls\.counts: \d+ rows written/);
  }, 120_000);

  it('a client that does not trust the CA, or speaks no TLS, is refused with an error naming the host and the problem', () => {
    const host = server!.contactPoint.replace(/\./g, '\\.');
    const noCa = run({ IDEMFLOW_CASSANDRA_TLS_CA: '', IDEMFLOW_CASSANDRA_TLS: 'true' });
    expect(noCa.status).toBe(2);
    expect(noCa.stderr).toMatch(
      new RegExp(
        `^idemflow: cannot connect to Cassandra at ${host}: TLS: the server's certificate is not signed by a trusted CA \\(self-signed certificate in certificate chain\\); set IDEMFLOW_CASSANDRA_TLS_CA`,
      ),
    );
    const plain = run({
      IDEMFLOW_CASSANDRA_TLS_CA: '',
      IDEMFLOW_CASSANDRA_TLS_CERT: '',
      IDEMFLOW_CASSANDRA_TLS_KEY: '',
    });
    expect(plain.status).toBe(2);
    expect(plain.stderr).toMatch(
      new RegExp(`cannot connect to Cassandra at ${host}: the server closed the connection .*if it requires TLS`),
    );
    const otherName = run({ IDEMFLOW_CASSANDRA_TLS_SERVERNAME: 'db.example.com' });
    expect(otherName.status).toBe(2);
    expect(otherName.stderr).toMatch(
      new RegExp(`at ${host}: TLS: the server's certificate is not for this name .*Host: db\\.example\\.com`),
    );
  }, 180_000);

  it('a client without a certificate, or with one from another CA, is refused', () => {
    const none = run({ IDEMFLOW_CASSANDRA_TLS_CERT: '', IDEMFLOW_CASSANDRA_TLS_KEY: '' });
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/TLS: the server requires a client certificate \(tlsv13 alert certificate required\)/);
    const rogue = run({ IDEMFLOW_CASSANDRA_TLS_CERT: certs.rogueCert, IDEMFLOW_CASSANDRA_TLS_KEY: certs.rogueKey });
    expect(rogue.status).toBe(2);
    expect(rogue.stderr).toMatch(
      /TLS: the server refused the handshake \(tlsv1 alert [a-z ]+\); is the client certificate/,
    );
  }, 180_000);

  it('wrong or missing credentials are refused clearly, and the password appears in no output or log', () => {
    const wrong = run({ IDEMFLOW_CASSANDRA_PASSWORD: wrongPassword }, ['--verbose']);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toMatch(
      /cannot connect to Cassandra at .*: the server refused the credentials \(Provided username idemflow_app and\/or password are incorrect; IDEMFLOW_CASSANDRA_USERNAME/,
    );
    const missing = run({ IDEMFLOW_CASSANDRA_USERNAME: '', IDEMFLOW_CASSANDRA_PASSWORD: '' });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/the server requires a username and password/);
    const printed = run({}, ['--print-config']);
    expect(printed.status).toBe(0);
    const everything =
      [wrong, missing, printed].map((r) => r.stdout + r.stderr).join('\n') + readFileSync(server!.log, 'utf8');
    expect(everything).toContain('idemflow_app');
    expect(everything).not.toContain(wrongPassword);
    expect(everything).not.toContain(password);
  }, 180_000);
});

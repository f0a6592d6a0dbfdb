import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../../connectors/embedded/store.ts';
import { type CliResult, runCli } from '../helpers/run-cli.ts';
import { countsByKeyAndWindow, generatorDefaults } from '../helpers/truth.ts';
import { runId } from './servers.ts';
import { type TlsKafka, prepareTopic, startTlsKafka } from './tls-kafka-server.ts';
import { type Certificates, encryptedClientKey, makeCertificates } from './tls-certificates.ts';

// A Kafka broker of our own (not the shared one): an SSL listener that requires client certificates, and
// SASL_SSL and SASL_PLAINTEXT listeners with a SCRAM-SHA-512 user. Certificates are made here, deleted after.
const id = runId();
const user = 'idemflow_app';
const password = `Kafka-Sasl-Pw-${id}`;
const wrongPassword = `Wrong-Sasl-Pw-${id}`;
const keyPassword = `Client-Key-Pw-${id}`;
const dir = mkdtempSync(join(tmpdir(), 'idemflow-kafka-tls-'));
// What `produce --from generator` sends, and what sensor-counts must count from it.
const generated = { seed: 7, count: 3_000, keys: 5, intervalMs: 10, ...generatorDefaults };
const truth = countsByKeyAndWindow(generated, 60_000);

let certs: Certificates;
let encryptedKey: string;
let server: TlsKafka | undefined;

beforeAll(async () => {
  certs = makeCertificates(dir);
  encryptedKey = encryptedClientKey(certs, keyPassword);
  server = await startTlsKafka(join(dir, 'run'), certs, { name: user, password });
  await prepareTopic(server, 'sensor-readings');
}, 360_000);

afterAll(() => {
  server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Mutual TLS to the SSL listener. */
const mutual = () => ({
  IDEMFLOW_KAFKA_BROKERS: server!.ssl,
  IDEMFLOW_KAFKA_TLS_CA: certs.ca,
  IDEMFLOW_KAFKA_TLS_CERT: certs.clientCert,
  IDEMFLOW_KAFKA_TLS_KEY: certs.clientKey,
});

/** SCRAM-SHA-512 over TLS (the CA only) to the SASL_SSL listener. */
const sasl = () => ({
  IDEMFLOW_KAFKA_BROKERS: server!.saslSsl,
  IDEMFLOW_KAFKA_TLS_CA: certs.ca,
  IDEMFLOW_KAFKA_SASL_MECHANISM: 'scram-sha-512',
  IDEMFLOW_KAFKA_SASL_USERNAME: user,
  IDEMFLOW_KAFKA_SASL_PASSWORD: password,
});

interface Run extends CliResult {
  readonly store: string;
  readonly seconds: number;
}

/** `run pipelines/sensor-counts.ts` (brokers from IDEMFLOW_KAFKA_BROKERS) into an embedded store of its own. */
function run(env: NodeJS.ProcessEnv, extra: readonly string[] = []): Run {
  const store = mkdtempSync(join(dir, 'store-'));
  const started = Date.now();
  const r = runCli(['run', 'pipelines/sensor-counts.ts', '--store', store, '-q', '--until-idle', '3000', ...extra], {
    env,
  });
  return { ...r, store, seconds: (Date.now() - started) / 1_000 };
}

function expectCountedOnce(r: Run): void {
  expect(r.status, r.stderr).toBe(0);
  const rows = new EmbeddedStore(r.store).table({ keyspace: 'idemflow', table: 'sensor_counts' }).rows();
  expect(new Map(rows.map((row) => [JSON.stringify(row.key), Number(row.columns.measurements)]))).toEqual(truth);
}

/**
 * A refusal at the first try: exit 2 and the one line `idemflow: …` matching `line`, with no retry (a retried
 * connection logs `retrying in … ms` and, with the default 10 attempts, fails only after about a minute).
 */
function expectRefusedFast(r: Run, line: RegExp): void {
  expect(r.status, r.stderr).toBe(2);
  expect(r.stderr).not.toMatch(/retrying/);
  expect(r.stderr.trim()).toMatch(line);
  console.log(`refused in ${r.seconds.toFixed(1)} s (CLI start included): ${r.stderr.trim().slice(0, 160)}`);
}

const host = (address: string) => address.replace(/\./g, '\\.');

describe('Kafka over TLS and SASL, on a broker that requires them', () => {
  it('produce and run go through mutual TLS (with a passphrase-protected key); every event is counted once', () => {
    const produced = runCli(
      ['produce', 'sensor-readings', '--from', 'generator', '--count', '3000', '--keys', '5', '--seed', '7'],
      { env: { ...mutual(), IDEMFLOW_KAFKA_TLS_KEY: encryptedKey, IDEMFLOW_KAFKA_TLS_KEY_PASSWORD: keyPassword } },
    );
    expect(produced.status, produced.stderr).toBe(0);
    expect(produced.stdout).toContain('sent 3000 messages to sensor-readings');
    expectCountedOnce(run(mutual()));
  }, 180_000);

  it('run goes through SASL_SSL with SCRAM-SHA-512, from the environment or the IDEMFLOW_CONFIG file', () => {
    expectCountedOnce(run(sasl()));
    const config = join(dir, 'idemflow.json');
    writeFileSync(
      config,
      JSON.stringify({
        kafka: { sasl: { mechanism: 'scram-sha-512', username: user, password }, tls: { ca: certs.ca } },
      }),
    );
    // An empty variable (a CI secret the job cannot see) counts as unset: the file's password is used.
    expectCountedOnce(
      run({ IDEMFLOW_KAFKA_BROKERS: server!.saslSsl, IDEMFLOW_CONFIG: config, IDEMFLOW_KAFKA_SASL_PASSWORD: '' }),
    );
  }, 180_000);

  it('a client without the CA, without a certificate, with a rogue one or for another name is refused within seconds, naming the broker and the TLS problem', () => {
    const at = host(server!.ssl);
    expectRefusedFast(
      run({ ...mutual(), IDEMFLOW_KAFKA_TLS_CA: '' }),
      new RegExp(
        `^idemflow: source\\.kafka: cannot connect to Kafka at ${at}: TLS: the server's certificate is not signed by a trusted CA \\(self-signed certificate in certificate chain\\); set IDEMFLOW_KAFKA_TLS_CA`,
      ),
    );
    expectRefusedFast(
      run({ ...mutual(), IDEMFLOW_KAFKA_TLS_CERT: '', IDEMFLOW_KAFKA_TLS_KEY: '' }),
      // Kafka (Java) answers a missing certificate with "bad certificate", not TLS 1.3's "certificate required".
      new RegExp(
        `^idemflow: source\\.kafka: cannot connect to Kafka at ${at}: TLS: the server refused the handshake \\(\\w+ alert [a-z ]+\\); it may require a client certificate: set IDEMFLOW_KAFKA_TLS_CERT and IDEMFLOW_KAFKA_TLS_KEY$`,
      ),
    );
    expectRefusedFast(
      run({ ...mutual(), IDEMFLOW_KAFKA_TLS_CERT: certs.rogueCert, IDEMFLOW_KAFKA_TLS_KEY: certs.rogueKey }),
      new RegExp(
        `^idemflow: source\\.kafka: cannot connect to Kafka at ${at}: TLS: the server refused the handshake \\(\\w+ alert [a-z ]+\\); is the client certificate`,
      ),
    );
    expectRefusedFast(
      run({ ...mutual(), IDEMFLOW_KAFKA_TLS_SERVERNAME: 'kafka.example.com' }),
      new RegExp(
        `^idemflow: source\\.kafka: cannot connect to Kafka at ${at}: TLS: the server's certificate is not for this name .*kafka\\.example\\.com.*IDEMFLOW_KAFKA_TLS_SERVERNAME`,
      ),
    );
    const produced = runCli(['produce', 'sensor-readings', '--from', 'generator', '--count', '10'], {
      env: { ...mutual(), IDEMFLOW_KAFKA_TLS_CA: '' },
    });
    expect(produced.status).toBe(2);
    expect(produced.stderr.trim()).toMatch(
      new RegExp(
        `^idemflow: cannot connect to Kafka at ${at}: TLS: the server's certificate is not signed by a trusted CA`,
      ),
    );
  }, 240_000);

  it('a client that speaks no TLS to a TLS listener is told, after its retries, that the brokers may require TLS', () => {
    const plain = run({ IDEMFLOW_KAFKA_BROKERS: server!.ssl }, ['--connect-attempts', '2']);
    expect(plain.status).toBe(2);
    expect(plain.stderr.trim().split('\n').at(-1)).toMatch(
      new RegExp(
        `^idemflow: source\\.kafka: cannot reach brokers ${host(server!.ssl)} .* after 2 attempts; are they running\\? \\(scripts/services up\\); if they require TLS, set IDEMFLOW_KAFKA_TLS_CA`,
      ),
    );
  }, 120_000);

  it('wrong SASL credentials are refused within seconds with a clear error; no password appears in any output or the broker log', () => {
    const at = host(server!.saslSsl);
    const wrong = run({ ...sasl(), IDEMFLOW_KAFKA_SASL_PASSWORD: wrongPassword }, ['--verbose']);
    expectRefusedFast(
      wrong,
      new RegExp(
        `^idemflow: source\\.kafka: cannot connect to Kafka at ${at}: the brokers refused the SASL login of user ${user} \\(SASL SCRAM SHA512 authentication failed: .*\\); check IDEMFLOW_KAFKA_SASL_MECHANISM`,
        's',
      ),
    );
    const stranger = run({ ...sasl(), IDEMFLOW_KAFKA_SASL_USERNAME: 'nobody' });
    expectRefusedFast(stranger, /the brokers refused the SASL login of user nobody/);
    const otherMechanism = run({ ...sasl(), IDEMFLOW_KAFKA_SASL_MECHANISM: 'scram-sha-256' });
    expectRefusedFast(
      otherMechanism,
      /the brokers refused the SASL login of user idemflow_app \(The broker does not support the requested SASL mechanism\)/,
    );
    // A SASL login sent to a listener that takes none (the SSL one) is refused at once too.
    const noSaslListener = run({ ...sasl(), ...mutual() });
    expectRefusedFast(
      noSaslListener,
      new RegExp(
        `cannot connect to Kafka at ${host(server!.ssl)}: the listener does not take a SASL login \\(Request is not valid given the current SASL state\\); is this the port of a SASL listener\\?`,
      ),
    );
    const printed = runCli(['run', 'pipelines/sensor-counts.ts', '--print-config'], {
      env: { ...sasl(), IDEMFLOW_KAFKA_TLS_KEY_PASSWORD: keyPassword },
    });
    expect(printed.status).toBe(0);
    expect(JSON.parse(printed.stdout)).toMatchObject({
      kafkaSasl: { mechanism: 'scram-sha-512', username: user, password: '***set***' },
      kafkaTls: { ca: certs.ca, keyPassword: '***set***', verifyHostname: true },
    });
    const everything =
      [wrong, stranger, otherMechanism, noSaslListener, printed].map((r: CliResult) => r.stdout + r.stderr).join('\n') +
      readFileSync(server!.log, 'utf8');
    expect(everything).toContain(user);
    expect(everything).toMatch(/Failed authentication/);
    for (const secret of [password, wrongPassword, keyPassword]) expect(everything).not.toContain(secret);
  }, 240_000);

  it('SASL without TLS is refused before connecting, saying why; IDEMFLOW_KAFKA_ALLOW_PLAINTEXT_SASL=1 allows it', () => {
    const plainSasl = { ...sasl(), IDEMFLOW_KAFKA_BROKERS: server!.saslPlaintext, IDEMFLOW_KAFKA_TLS_CA: '' };
    const refused = run(plainSasl);
    expectRefusedFast(
      refused,
      /^idemflow: Kafka SASL \(scram-sha-512\) is configured without TLS: .* the SCRAM exchange \(open to offline guessing of the password\) .*IDEMFLOW_KAFKA_ALLOW_PLAINTEXT_SASL=1$/,
    );
    expect(refused.stderr).not.toContain(password);
    expectCountedOnce(run({ ...plainSasl, IDEMFLOW_KAFKA_ALLOW_PLAINTEXT_SASL: '1' }));
  }, 180_000);
});

import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The password of the PKCS12 key and trust stores the Java servers read (test material, made per run). */
export const storePassword = 'changeit';

function sh(command: string, args: readonly string[], cwd: string, input?: string): void {
  // The password reaches openssl on stdin, not in argv (where `ps` would show it).
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', input });
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

/**
 * A copy of the good client key encrypted with `password` (PKCS#8, AES-256): what a client needs
 * IDEMFLOW_<SERVICE>_TLS_KEY_PASSWORD for.
 */
export function encryptedClientKey(certs: Certificates, password: string): string {
  const out = join(certs.dir, 'client-encrypted.key');
  sh(
    'openssl',
    ['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-in', certs.clientKey, '-out', out, '-passout', 'stdin'],
    certs.dir,
    `${password}\n`,
  );
  return out;
}

import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { z } from 'zod';
import { RunnerError } from '../runtime/runner-error.ts';

/** A `tls` section in the IDEMFLOW_CONFIG file (`cassandra.tls`, `kafka.tls`): file paths, never the PEM text. */
export const TlsSection = z.strictObject({
  ca: z.string().min(1).optional(),
  cert: z.string().min(1).optional(),
  key: z.string().min(1).optional(),
  keyPassword: z.string().min(1).optional(),
  serverName: z.string().min(1).optional(),
});

/** How a client speaks TLS to a server. Paths only: the files are read when connecting. */
export interface TlsSettings {
  /** PEM file of the CA(s) that signed the servers' certificates; without it, Node's default CAs. */
  readonly ca?: string;
  /** PEM client certificate and key, for servers that require client authentication (mutual TLS). */
  readonly cert?: string;
  readonly key?: string;
  readonly keyPassword?: string;
  /** The name the servers' certificates are checked against, instead of each server's host. */
  readonly serverName?: string;
}

/** Whose TLS: names its variables (IDEMFLOW_KAFKA_TLS_*), config keys (kafka.tls.*) and messages. */
export type TlsService = 'cassandra' | 'kafka';

const label: Record<TlsService, string> = { cassandra: 'Cassandra', kafka: 'Kafka' };
type PemField = 'ca' | 'cert' | 'key';

const where = (service: TlsService, field: PemField) =>
  `IDEMFLOW_${service.toUpperCase()}_TLS_${field.toUpperCase()} (or ${service}.tls.${field} in IDEMFLOW_CONFIG)`;

/** A yes/no variable set to yes (1, true, yes, on). */
export const isEnabled = (value: string | undefined) => value !== undefined && /^(1|true|yes|on)$/i.test(value.trim());

/**
 * TLS from the environment, each variable winning over the config file's `tls` section:
 * IDEMFLOW_<SERVICE>_TLS_CA / _CERT / _KEY / _KEY_PASSWORD / _SERVERNAME. Any of them, a `tls` section,
 * or IDEMFLOW_<SERVICE>_TLS=true (public CAs) turns TLS on. Undefined means plain TCP.
 */
export function tlsSettings(
  service: TlsService,
  env: NodeJS.ProcessEnv,
  file: z.infer<typeof TlsSection> | undefined,
): TlsSettings | undefined {
  const prefix = `IDEMFLOW_${service.toUpperCase()}_TLS`;
  const tls: TlsSettings = {
    ca: env[`${prefix}_CA`] || file?.ca,
    cert: env[`${prefix}_CERT`] || file?.cert,
    key: env[`${prefix}_KEY`] || file?.key,
    keyPassword: env[`${prefix}_KEY_PASSWORD`] || file?.keyPassword,
    serverName: env[`${prefix}_SERVERNAME`] || file?.serverName,
  };
  const defined = Object.fromEntries(Object.entries(tls).filter(([, v]) => v !== undefined)) as TlsSettings;
  if (Object.keys(defined).length === 0 && !file && !isEnabled(env[prefix])) return undefined;
  for (const field of ['ca', 'cert', 'key'] as const) {
    // A PEM pasted where a path belongs would be printed by --print-config and error messages: refuse it unshown.
    if (defined[field]?.includes('-----BEGIN'))
      throw new RunnerError(`${where(service, field)} must be the path of a PEM file, not its content`);
  }
  if (Boolean(defined.cert) !== Boolean(defined.key)) {
    throw new RunnerError(
      `${label[service]} TLS: a client certificate needs its key and a key its certificate: set both ${where(service, 'cert')} and ${where(service, 'key')}`,
    );
  }
  return defined;
}

/** The PEM text (a string: Kafka's options cross to a worker thread, where a Buffer would arrive as a bare Uint8Array). */
function readPem(service: TlsService, field: PemField, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new RunnerError(
      `cannot read ${path}, named by ${where(service, field)}: ${(error as NodeJS.ErrnoException).code}`,
    );
  }
}

/**
 * Node TLS options for a driver. Hostname verification stays on: Node checks each server's certificate
 * against its host (or `serverName`), and there is deliberately no switch to turn it off.
 */
export function tlsConnectionOptions(service: TlsService, tls: TlsSettings): ConnectionOptions {
  return {
    ...(tls.ca ? { ca: readPem(service, 'ca', tls.ca) } : {}),
    ...(tls.cert && tls.key ? { cert: readPem(service, 'cert', tls.cert), key: readPem(service, 'key', tls.key) } : {}),
    ...(tls.keyPassword ? { passphrase: tls.keyPassword } : {}),
    ...(tls.serverName ? { servername: tls.serverName } : {}),
    rejectUnauthorized: true,
  };
}

/** Settings as --print-config shows them: paths shown, the key password hidden. */
export function shownTls(tls: TlsSettings | undefined): Record<string, unknown> | false {
  if (!tls) return false;
  return { ...tls, ...(tls.keyPassword ? { keyPassword: '***set***' } : {}), verifyHostname: true };
}

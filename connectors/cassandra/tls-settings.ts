import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { z } from 'zod';
import { RunnerError } from '../../runtime/runner-error.ts';

/** `cassandra.tls` in the IDEMFLOW_CONFIG file: file paths, never the PEM text itself. */
export const CassandraTlsSection = z.strictObject({
  ca: z.string().min(1).optional(),
  cert: z.string().min(1).optional(),
  key: z.string().min(1).optional(),
  keyPassword: z.string().min(1).optional(),
  serverName: z.string().min(1).optional(),
});

/** How the client speaks TLS to Cassandra. Paths only: the files are read when connecting. */
export interface CassandraTls {
  /** PEM file of the CA(s) that signed the servers' certificates; without it, Node's default CAs. */
  readonly ca?: string;
  /** PEM client certificate and key, for clusters that require client authentication (mutual TLS). */
  readonly cert?: string;
  readonly key?: string;
  readonly keyPassword?: string;
  /** The name the servers' certificates are checked against, instead of each contact point's host. */
  readonly serverName?: string;
}

const where = {
  ca: 'IDEMFLOW_CASSANDRA_TLS_CA (or cassandra.tls.ca in IDEMFLOW_CONFIG)',
  cert: 'IDEMFLOW_CASSANDRA_TLS_CERT (or cassandra.tls.cert in IDEMFLOW_CONFIG)',
  key: 'IDEMFLOW_CASSANDRA_TLS_KEY (or cassandra.tls.key in IDEMFLOW_CONFIG)',
} as const;

const enabled = (value: string | undefined) => value !== undefined && /^(1|true|yes|on)$/i.test(value.trim());

/**
 * TLS to Cassandra from the environment, each variable winning over the config file's `cassandra.tls`:
 * IDEMFLOW_CASSANDRA_TLS_CA / _CERT / _KEY / _KEY_PASSWORD / _SERVERNAME. Any of them, a `tls` section,
 * or IDEMFLOW_CASSANDRA_TLS=true (public CAs) turns TLS on. Undefined means plain TCP.
 */
export function cassandraTlsSettings(
  env: NodeJS.ProcessEnv,
  file: z.infer<typeof CassandraTlsSection> | undefined,
): CassandraTls | undefined {
  const tls: CassandraTls = {
    ca: env.IDEMFLOW_CASSANDRA_TLS_CA || file?.ca,
    cert: env.IDEMFLOW_CASSANDRA_TLS_CERT || file?.cert,
    key: env.IDEMFLOW_CASSANDRA_TLS_KEY || file?.key,
    keyPassword: env.IDEMFLOW_CASSANDRA_TLS_KEY_PASSWORD || file?.keyPassword,
    serverName: env.IDEMFLOW_CASSANDRA_TLS_SERVERNAME || file?.serverName,
  };
  const defined = Object.fromEntries(Object.entries(tls).filter(([, v]) => v !== undefined)) as CassandraTls;
  if (Object.keys(defined).length === 0 && !file && !enabled(env.IDEMFLOW_CASSANDRA_TLS)) return undefined;
  for (const field of ['ca', 'cert', 'key'] as const) {
    // A PEM pasted where a path belongs would be printed by --print-config and error messages: refuse it unshown.
    if (defined[field]?.includes('-----BEGIN'))
      throw new RunnerError(`${where[field]} must be the path of a PEM file, not its content`);
  }
  if (Boolean(defined.cert) !== Boolean(defined.key)) {
    throw new RunnerError(
      `Cassandra TLS: a client certificate needs its key and a key its certificate: set both ${where.cert} and ${where.key}`,
    );
  }
  return defined;
}

function readPem(field: keyof typeof where, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new RunnerError(`cannot read ${path}, named by ${where[field]}: ${(error as NodeJS.ErrnoException).code}`);
  }
}

/**
 * Node TLS options for the driver. Hostname verification stays on: Node checks each server's certificate
 * against the contact point's host (or `serverName`), and there is deliberately no switch to turn it off.
 */
export function tlsConnectionOptions(tls: CassandraTls): ConnectionOptions {
  return {
    ...(tls.ca ? { ca: readPem('ca', tls.ca) } : {}),
    ...(tls.cert && tls.key ? { cert: readPem('cert', tls.cert), key: readPem('key', tls.key) } : {}),
    ...(tls.keyPassword ? { passphrase: tls.keyPassword } : {}),
    ...(tls.serverName ? { servername: tls.serverName } : {}),
    rejectUnauthorized: true,
  };
}

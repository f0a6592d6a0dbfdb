import type { ConnectionOptions } from 'node:tls';
import type { z } from 'zod';
import { TlsSection, tlsConnectionOptions as optionsFor, tlsSettings, type TlsSettings } from '../tls-settings.ts';

/** `cassandra.tls` in the IDEMFLOW_CONFIG file: file paths, never the PEM text itself. */
export const CassandraTlsSection = TlsSection;

/** How the client speaks TLS to Cassandra (see ../tls-settings.ts, shared with Kafka). */
export type CassandraTls = TlsSettings;

/**
 * TLS to Cassandra from IDEMFLOW_CASSANDRA_TLS_CA / _CERT / _KEY / _KEY_PASSWORD / _SERVERNAME, each winning
 * over the config file's `cassandra.tls`; IDEMFLOW_CASSANDRA_TLS=true alone means public CAs. Undefined: plain TCP.
 */
export function cassandraTlsSettings(
  env: NodeJS.ProcessEnv,
  file: z.infer<typeof CassandraTlsSection> | undefined,
): CassandraTls | undefined {
  return tlsSettings('cassandra', env, file);
}

/** Node TLS options for the Cassandra driver, hostname verification always on. */
export function tlsConnectionOptions(tls: CassandraTls): ConnectionOptions {
  return optionsFor('cassandra', tls);
}

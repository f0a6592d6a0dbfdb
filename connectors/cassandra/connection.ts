import { Client, auth } from 'cassandra-driver';
import { loadCredentials } from '../credentials.ts';
import { tlsConnectionOptions } from './tls-settings.ts';

export interface CassandraSettings {
  /** `host:port` contact points. */
  readonly contactPoints: readonly string[];
  readonly localDataCenter: string;
}

/**
 * Where Cassandra is: `IDEMFLOW_CASSANDRA` ("127.0.0.1:9042,…") or the
 * `--cassandra` flag. Credentials and TLS settings only ever come from the
 * environment or the IDEMFLOW_CONFIG file (see ../credentials.ts), never argv.
 */
export function cassandraSettings(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): CassandraSettings | undefined {
  const value = flag ?? env.IDEMFLOW_CASSANDRA;
  if (!value) return undefined;
  return {
    contactPoints: value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    localDataCenter: env.IDEMFLOW_CASSANDRA_DC ?? 'datacenter1',
  };
}

export function connect(settings: CassandraSettings, env: NodeJS.ProcessEnv = process.env): Client {
  const { cassandra: credentials, cassandraTls } = loadCredentials(env);
  return new Client({
    ...(cassandraTls ? { sslOptions: tlsConnectionOptions(cassandraTls) } : {}),
    contactPoints: [...settings.contactPoints],
    localDataCenter: settings.localDataCenter,
    ...(credentials
      ? { authProvider: new auth.PlainTextAuthProvider(credentials.username, credentials.password) }
      : {}),
    socketOptions: { connectTimeout: 5_000, readTimeout: 12_000 },
  });
}

import { Client, auth } from 'cassandra-driver';

export interface CassandraSettings {
  /** `host:port` contact points. */
  readonly contactPoints: readonly string[];
  readonly localDataCenter: string;
}

/**
 * Where Cassandra is: `IDEMFLOW_CASSANDRA` ("127.0.0.1:9042,…") or the
 * `--cassandra` flag. Credentials only ever come from the environment
 * (IDEMFLOW_CASSANDRA_USERNAME / IDEMFLOW_CASSANDRA_PASSWORD), never argv.
 */
export function cassandraSettings(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): CassandraSettings | undefined {
  const value = flag ?? env.IDEMFLOW_CASSANDRA;
  if (!value) return undefined;
  return { contactPoints: value.split(',').map((s) => s.trim()).filter(Boolean), localDataCenter: env.IDEMFLOW_CASSANDRA_DC ?? 'datacenter1' };
}

export function connect(settings: CassandraSettings, env: NodeJS.ProcessEnv = process.env): Client {
  const username = env.IDEMFLOW_CASSANDRA_USERNAME;
  const password = env.IDEMFLOW_CASSANDRA_PASSWORD;
  return new Client({
    contactPoints: [...settings.contactPoints],
    localDataCenter: settings.localDataCenter,
    ...(username && password ? { authProvider: new auth.PlainTextAuthProvider(username, password) } : {}),
    socketOptions: { connectTimeout: 5_000, readTimeout: 12_000 },
  });
}

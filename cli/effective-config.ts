import { cassandraSettings } from '../connectors/cassandra/connection.ts';

const secretNames = /PASSWORD|SECRET|TOKEN|SASL/i;

/** What a run will use, from flags and the environment. Secrets appear only as "***set***". */
export function effectiveConfig(flags: { store: string; checkpoint?: string; cassandra?: string }, env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  const cassandra = cassandraSettings(flags.cassandra, env);
  const idemflowEnv = Object.fromEntries(
    Object.entries(env)
      .filter(([k]) => k.startsWith('IDEMFLOW_'))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => [k, secretNames.test(k) ? (v ? '***set***' : '') : v]),
  );
  return {
    store: flags.store,
    checkpoint: flags.checkpoint ?? null,
    cassandra: cassandra
      ? { ...cassandra, username: env.IDEMFLOW_CASSANDRA_USERNAME ?? null, password: env.IDEMFLOW_CASSANDRA_PASSWORD ? '***set***' : null }
      : 'embedded store (no IDEMFLOW_CASSANDRA / --cassandra)',
    environment: idemflowEnv,
  };
}

/** Removes any secret value from a text before it is printed (errors from drivers may echo their inputs). */
export function redactSecrets(text: string, env: NodeJS.ProcessEnv = process.env): string {
  let out = text;
  for (const [k, v] of Object.entries(env)) if (secretNames.test(k) && k.startsWith('IDEMFLOW_') && v && v.length >= 4) out = out.split(v).join('***');
  return out;
}

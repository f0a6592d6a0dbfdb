import { cassandraSettings } from '../connectors/cassandra/connection.ts';
import { loadCredentials, secretValues } from '../connectors/credentials.ts';
import { shownTls } from '../connectors/tls-settings.ts';

/**
 * Variables whose values are secret: passwords, tokens, and whatever else SASL takes — but not its mechanism
 * and user name, which are shown like Cassandra's user name (hiding them turned "the brokers refused the SASL
 * login of user app" into "… of user ***", and "Kafka SASL (scram-sha-512)" into "Kafka SASL (***)").
 */
const isSecretName = (name: string) =>
  /PASSWORD|SECRET|TOKEN|SASL/i.test(name) && !/_SASL_(MECHANISM|USERNAME)$/i.test(name);

/** A variable's value as printed: secrets as "***set***", and PEM text (key material pasted by mistake) never. */
function shown(name: string, value: string | undefined): string | undefined {
  if (isSecretName(name)) return value ? '***set***' : '';
  return value?.includes('-----BEGIN') ? '***PEM content, not shown***' : value;
}

/** What a run will use, from flags and the environment. Secrets appear only as "***set***". */
export function effectiveConfig(
  flags: { store: string; checkpoint?: string; cassandra?: string },
  env: NodeJS.ProcessEnv = process.env,
): Record<string, unknown> {
  const cassandra = cassandraSettings(flags.cassandra, env);
  const idemflowEnv = Object.fromEntries(
    Object.entries(env)
      .filter(([k]) => k.startsWith('IDEMFLOW_'))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => [k, shown(k, v)]),
  );
  const credentials = loadCredentials(env);
  return {
    store: flags.store,
    checkpoint: flags.checkpoint ?? null,
    configFile: env.IDEMFLOW_CONFIG ?? null,
    cassandra: cassandra
      ? {
          ...cassandra,
          username: credentials.cassandra?.username ?? null,
          password: credentials.cassandra ? '***set***' : null,
          tls: shownTls(credentials.cassandraTls),
        }
      : 'embedded store (no IDEMFLOW_CASSANDRA / --cassandra)',
    kafkaSasl: credentials.kafka
      ? {
          mechanism: credentials.kafka.sasl.mechanism,
          username: credentials.kafka.sasl.username,
          password: '***set***',
        }
      : null,
    kafkaTls: shownTls(credentials.kafkaTls),
    environment: idemflowEnv,
  };
}

/** Removes any secret value from a text before it is printed (errors from drivers may echo their inputs). */
export function redactSecrets(text: string, env: NodeJS.ProcessEnv = process.env): string {
  let out = text;
  const fromEnv = Object.entries(env)
    .filter(([k, v]) => isSecretName(k) && k.startsWith('IDEMFLOW_') && v && v.length >= 4)
    .map(([, v]) => v!);
  for (const secret of [...fromEnv, ...secretValues(env)]) out = out.split(secret).join('***');
  return out;
}

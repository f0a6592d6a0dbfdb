import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { RunnerError } from '../runtime/runner-error.ts';
import { type CassandraTls, CassandraTlsSection, cassandraTlsSettings } from './cassandra/tls-settings.ts';
import { TlsSection, tlsSettings, type TlsSettings } from './tls-settings.ts';

const Secret = z.string().min(1);
const ConfigFile = z.strictObject({
  cassandra: z
    .strictObject({ username: Secret.optional(), password: Secret.optional(), tls: CassandraTlsSection.optional() })
    .superRefine((c, ctx) => {
      if (Boolean(c.username) !== Boolean(c.password))
        ctx.addIssue({
          code: 'custom',
          path: [c.username ? 'password' : 'username'],
          message: 'Required (username and password go together)',
        });
    })
    .optional(),
  kafka: z
    .strictObject({
      sasl: z
        .strictObject({
          mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']),
          username: Secret,
          password: Secret,
        })
        .optional(),
      /** Older form of `tls: {}` (TLS with Node's default CAs); kept so existing files still work. */
      ssl: z.boolean().optional(),
      tls: TlsSection.optional(),
    })
    .optional(),
});

export interface Credentials {
  readonly cassandra?: { readonly username: string; readonly password: string };
  /** TLS to Cassandra; undefined means plain TCP. */
  readonly cassandraTls?: CassandraTls;
  readonly kafka?: {
    readonly sasl: {
      readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
      readonly username: string;
      readonly password: string;
    };
  };
  /** TLS to Kafka; undefined means plain TCP. */
  readonly kafkaTls?: TlsSettings;
}

/**
 * Credentials never come from argv: from the environment
 * (IDEMFLOW_CASSANDRA_USERNAME/_PASSWORD, IDEMFLOW_CASSANDRA_TLS_* (./cassandra/tls-settings.ts),
 * IDEMFLOW_KAFKA_SASL_MECHANISM/_USERNAME/_PASSWORD, IDEMFLOW_KAFKA_TLS_* (./tls-settings.ts)),
 * or from the JSON file IDEMFLOW_CONFIG names; the environment wins.
 */
export function loadCredentials(env: NodeJS.ProcessEnv = process.env): Credentials {
  const file = readConfigFile(env.IDEMFLOW_CONFIG);
  // An empty variable counts as unset (`||`, not `??`), as for the TLS variables: CI systems pass a secret the
  // job may not see (a pull request from a fork) as "", which must not silently wipe the file's value.
  const cassandraUser = env.IDEMFLOW_CASSANDRA_USERNAME || file.cassandra?.username;
  const cassandraPassword = env.IDEMFLOW_CASSANDRA_PASSWORD || file.cassandra?.password;
  const saslMechanism = (env.IDEMFLOW_KAFKA_SASL_MECHANISM || file.kafka?.sasl?.mechanism) as
    NonNullable<Credentials['kafka']>['sasl']['mechanism'] | undefined;
  const saslUser = env.IDEMFLOW_KAFKA_SASL_USERNAME || file.kafka?.sasl?.username;
  const saslPassword = env.IDEMFLOW_KAFKA_SASL_PASSWORD || file.kafka?.sasl?.password;
  if (saslMechanism && !['plain', 'scram-sha-256', 'scram-sha-512'].includes(saslMechanism)) {
    throw new RunnerError(
      `IDEMFLOW_KAFKA_SASL_MECHANISM must be plain, scram-sha-256 or scram-sha-512, got "${saslMechanism}"`,
    );
  }
  allOrNone('Cassandra login', {
    'IDEMFLOW_CASSANDRA_USERNAME (cassandra.username)': cassandraUser,
    'IDEMFLOW_CASSANDRA_PASSWORD (cassandra.password)': cassandraPassword,
  });
  allOrNone('Kafka SASL', {
    'IDEMFLOW_KAFKA_SASL_MECHANISM (kafka.sasl.mechanism)': saslMechanism,
    'IDEMFLOW_KAFKA_SASL_USERNAME (kafka.sasl.username)': saslUser,
    'IDEMFLOW_KAFKA_SASL_PASSWORD (kafka.sasl.password)': saslPassword,
  });
  const cassandraTls = cassandraTlsSettings(env, file.cassandra?.tls);
  const kafkaTls = tlsSettings('kafka', env, file.kafka?.tls) ?? (file.kafka?.ssl ? {} : undefined);
  return {
    ...(cassandraUser && cassandraPassword
      ? { cassandra: { username: cassandraUser, password: cassandraPassword } }
      : {}),
    ...(cassandraTls ? { cassandraTls } : {}),
    ...(saslMechanism && saslUser && saslPassword
      ? {
          kafka: { sasl: { mechanism: saslMechanism, username: saslUser, password: saslPassword } },
        }
      : {}),
    ...(kafkaTls ? { kafkaTls } : {}),
  };
}

/** The IDEMFLOW_CONFIG file, checked; nothing when no file is named. */
function readConfigFile(path: string | undefined): z.infer<typeof ConfigFile> {
  if (!path) return {};
  if (!existsSync(path)) throw new RunnerError(`config file ${path} (IDEMFLOW_CONFIG) does not exist`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new RunnerError(`config file ${path} is not JSON: ${(error as Error).message}`);
  }
  const parsed = ConfigFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new RunnerError(`config file ${path}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  return parsed.data;
}

/**
 * Settings that work only together: some set and some not is refused, naming the missing ones. Silently
 * dropping a half-set login would connect without it, and fail far from the cause (a SASL listener
 * closes the connection of a client that skips SASL; the client retries as if the broker were down).
 */
function allOrNone(what: string, settings: Record<string, string | undefined>): void {
  const names = Object.keys(settings);
  const missing = names.filter((name) => !settings[name]);
  if (missing.length === 0 || missing.length === names.length) return;
  const given = names.filter((name) => settings[name]);
  throw new RunnerError(
    `${what}: ${given.join(' and ')} ${given.length > 1 ? 'are' : 'is'} set but ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not (an empty variable counts as unset); set all of them, or none`,
  );
}

/**
 * Every secret value the environment and the config file hold, for redaction of anything printed. Read from
 * both sources directly, not through loadCredentials: a setting it refuses (a half-set login) must not stop
 * the file's other secrets from being redacted in the message that reports it.
 */
export function secretValues(env: NodeJS.ProcessEnv = process.env): string[] {
  let file: z.infer<typeof ConfigFile> = {};
  try {
    file = readConfigFile(env.IDEMFLOW_CONFIG);
  } catch {
    // A broken config file is reported elsewhere; redact what the environment holds.
  }
  return [
    env.IDEMFLOW_CASSANDRA_PASSWORD,
    env.IDEMFLOW_CASSANDRA_TLS_KEY_PASSWORD,
    env.IDEMFLOW_KAFKA_SASL_PASSWORD,
    env.IDEMFLOW_KAFKA_TLS_KEY_PASSWORD,
    file.cassandra?.password,
    file.cassandra?.tls?.keyPassword,
    file.kafka?.sasl?.password,
    file.kafka?.tls?.keyPassword,
  ].filter((v): v is string => typeof v === 'string' && v.length >= 4);
}

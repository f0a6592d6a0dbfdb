import type { KafkaConfig } from 'kafkajs';
import { tlsProblem } from '../tls-problem.ts';

const saslWhere = 'IDEMFLOW_KAFKA_SASL_MECHANISM / _USERNAME / _PASSWORD, or kafka.sasl in IDEMFLOW_CONFIG';

/** Kafka's answers to a SASL login that say it will never succeed: the mechanism is not enabled, or the login failed. */
const saslRefusals = new Set(['UNSUPPORTED_SASL_MECHANISM', 'SASL_AUTHENTICATION_FAILED']);

/** The error and everything down its cause chain: kafkajs's retrier wraps the error that happened. */
function chain(error: unknown): Error[] {
  const errors: Error[] = [];
  let e = error;
  while (e instanceof Error && errors.length < 8 && !errors.includes(e)) {
    errors.push(e);
    e = e.cause;
  }
  return errors;
}

/**
 * A failed connection to Kafka that no retry can mend — the TLS handshake failed, or the brokers refused
 * the SASL login — as one line naming the broker and what to set; undefined for anything else (a broker
 * not up yet, a refused connection), which is worth retrying.
 */
export function permanentKafkaFailure(error: unknown, client: KafkaConfig): string | undefined {
  const brokers = Array.isArray(client.brokers) ? client.brokers.join(',') : 'the brokers';
  const user = (client.sasl as { username?: unknown } | undefined)?.username;
  const sentCertificate = typeof client.ssl === 'object' && client.ssl.cert !== undefined;
  for (const e of chain(error)) {
    const type = (e as { type?: unknown }).type;
    if (type === 'ILLEGAL_SASL_STATE')
      return `cannot connect to Kafka at ${brokers}: the listener does not take a SASL login (${e.message}); is this the port of a SASL listener? Without SASL, unset IDEMFLOW_KAFKA_SASL_* (or kafka.sasl)`;
    if (e.name === 'KafkaJSSASLAuthenticationError' || (typeof type === 'string' && saslRefusals.has(type)))
      return `cannot connect to Kafka at ${brokers}: the brokers refused the SASL login${typeof user === 'string' ? ` of user ${user}` : ''} (${e.message}); check ${saslWhere}`;
    // kafkajs prefixes Node's socket error ("Connection error: …") and keeps its code and the broker's address.
    const at = (e as { broker?: unknown }).broker;
    const message = e.message.replace(/^(Connection error|Failed to connect): /, '');
    const why = tlsProblem('kafka', { code: (e as { code?: unknown }).code, message }, sentCertificate);
    if (why) return `cannot connect to Kafka at ${typeof at === 'string' ? at : brokers}: ${why}`;
  }
  return undefined;
}

import { tlsProblem } from '../tls-problem.ts';

const credentialsWhere =
  'IDEMFLOW_CASSANDRA_USERNAME / IDEMFLOW_CASSANDRA_PASSWORD, or cassandra.username / password in IDEMFLOW_CONFIG';

/** What went wrong with one host, in words a user can act on; undefined when it is not a TLS or login problem. */
function explain(error: Error & { code?: string }, tls: boolean): string | undefined {
  const message = error.message.split('\n')[0]!;
  const handshake = tlsProblem('cassandra', error);
  if (handshake) return handshake;
  if (error.name === 'AuthenticationError') {
    return /no authenticator found/.test(message)
      ? `the server requires a username and password (${credentialsWhere})`
      : `the server refused the credentials (${message}; ${credentialsWhere})`;
  }
  if (!tls && /ECONNRESET|socket hang up|closed/i.test(message))
    return `the server closed the connection (${message}); if it requires TLS, set IDEMFLOW_CASSANDRA_TLS_CA (docs/connectors.md)`;
  return undefined;
}

/**
 * One line for a failed connect: the driver's NoHostAvailableError hides each host's cause in innerErrors,
 * and its first line ("All host(s) tried…") neither names TLS nor says what to set.
 */
export function describeConnectError(error: unknown, contactPoints: readonly string[], tls: boolean): string {
  const inner = (error as { innerErrors?: Record<string, Error> }).innerErrors ?? {};
  const explained = Object.entries(inner)
    .map(([host, cause]) => [host, cause instanceof Error ? explain(cause, tls) : undefined] as const)
    .filter((entry): entry is readonly [string, string] => entry[1] !== undefined);
  if (explained.length > 0)
    return explained.map(([host, why]) => `cannot connect to Cassandra at ${host}: ${why}`).join('; ');
  return `cannot reach Cassandra at ${contactPoints.join(',')} (${(error as Error).message.split('\n')[0]}); is it running? (scripts/services up)`;
}

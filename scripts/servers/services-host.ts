import { isIP } from 'node:net';

const wildcards = new Set(['0.0.0.0', '::', '0:0:0:0:0:0:0:0']);

/**
 * The address Kafka and Cassandra listen on and are reached at:
 * `IDEMFLOW_SERVICES_HOST`, 127.0.0.1 unless the user names another. Both
 * servers run without authentication, so opening them is a choice the user
 * makes by naming one interface's address; a wildcard is refused, because it
 * would open every interface at once (and Kafka cannot advertise it).
 */
export function servicesHost(value: string | undefined): string {
  if (value === undefined || value === '') return '127.0.0.1';
  if (wildcards.has(value)) {
    throw new Error(
      `IDEMFLOW_SERVICES_HOST=${value} would open every interface; name the one address to listen on (e.g. 10.0.0.5), or unset it for 127.0.0.1`,
    );
  }
  if (isIP(value) === 0) {
    throw new Error(`IDEMFLOW_SERVICES_HOST must be an IP address of this machine (default 127.0.0.1), got "${value}"`);
  }
  return value;
}

import type { TlsService } from './tls-settings.ts';

/** Node's codes for a server certificate that no trusted CA signed. */
const untrusted = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_UNTRUSTED',
]);

/**
 * A failed TLS handshake in words a user can act on, naming the service's own variables
 * (IDEMFLOW_KAFKA_TLS_CA, IDEMFLOW_CASSANDRA_TLS_CERT, …); undefined when the error is not a TLS problem.
 * Every case here fails the same way on the next try: callers treat them as permanent, not worth a retry.
 * `sentCertificate`: whether the client offered a certificate, when the caller knows.
 */
export function tlsProblem(
  service: TlsService,
  error: { readonly code?: unknown; readonly message: string },
  sentCertificate?: boolean,
): string | undefined {
  const variable = (name: string) => `IDEMFLOW_${service.toUpperCase()}_TLS_${name}`;
  const code = typeof error.code === 'string' ? error.code : undefined;
  const message = error.message.split('\n')[0]!;
  const alert = /(\w+ alert [a-z ]+)/.exec(message)?.[1];
  if (code && untrusted.has(code))
    return `TLS: the server's certificate is not signed by a trusted CA (${message}); set ${variable('CA')} to the CA file of the cluster`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return `TLS: the server's certificate is not for this name (${message.replace(/\. See innerErrors\.?$/, '')}); connect by a name the certificate holds, or set ${variable('SERVERNAME')}`;
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID')
    return `TLS: the server's certificate is not valid now (${message})`;
  if (alert?.includes('certificate required'))
    return `TLS: the server requires a client certificate (${alert}); set ${variable('CERT')} and ${variable('KEY')}`;
  // Java servers answer a missing client certificate with "bad certificate", not TLS 1.3's "certificate required".
  if (alert && sentCertificate === false)
    return `TLS: the server refused the handshake (${alert}); it may require a client certificate: set ${variable('CERT')} and ${variable('KEY')}`;
  if (alert)
    return `TLS: the server refused the handshake (${alert}); is the client certificate (${variable('CERT')}) signed by a CA the server trusts?`;
  if (code === 'ERR_OSSL_BAD_DECRYPT' || /bad decrypt/i.test(message))
    return `TLS: the client key cannot be decrypted (${message}); check ${variable('KEY_PASSWORD')}`;
  return undefined;
}

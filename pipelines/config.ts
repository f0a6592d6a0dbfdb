/**
 * Where the example pipelines connect. Addresses only: credentials never
 * appear in pipeline files; connectors read them from the environment.
 */
export const kafkaBrokers = (process.env.IDEMFLOW_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
export const socketHost = process.env.IDEMFLOW_SOCKET_HOST ?? '127.0.0.1';
export const socketPort = Number(process.env.IDEMFLOW_SOCKET_PORT ?? 9999);
export const keyspace = 'idemflow';
export const walDir = process.env.IDEMFLOW_WAL_DIR ?? '.idemflow/wal';

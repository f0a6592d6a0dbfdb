import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where downloaded servers and their data live: outside the repository, reused across runs. */
export const cacheDir = process.env.IDEMFLOW_CACHE ?? join(homedir(), '.cache', 'idemflow');

export const kafkaPort = Number(process.env.IDEMFLOW_KAFKA_PORT ?? 9092);
export const kafkaControllerPort = kafkaPort + 1;
export const cassandraPort = Number(process.env.IDEMFLOW_CASSANDRA_PORT ?? 9042);
export const cassandraStoragePort = Number(process.env.IDEMFLOW_CASSANDRA_STORAGE_PORT ?? 7000);
export const host = '127.0.0.1';
/** Beam's Flink job server: job API here, artifact and expansion services on the two ports below. */
export const flinkJobPort = Number(process.env.IDEMFLOW_FLINK_JOB_PORT ?? 8099);

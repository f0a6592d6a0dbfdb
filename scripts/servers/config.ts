import { homedir } from 'node:os';
import { join } from 'node:path';
import { servicesHost } from './services-host.ts';

/** Where downloaded servers and their data live: outside the repository, reused across runs. */
export const cacheDir = process.env.IDEMFLOW_CACHE ?? join(homedir(), '.cache', 'idemflow');

export const kafkaPort = Number(process.env.IDEMFLOW_KAFKA_PORT ?? 9092);
export const kafkaControllerPort = kafkaPort + 1;
export const cassandraPort = Number(process.env.IDEMFLOW_CASSANDRA_PORT ?? 9042);
export const cassandraStoragePort = Number(process.env.IDEMFLOW_CASSANDRA_STORAGE_PORT ?? 7000);
/** Where Kafka and Cassandra listen and are reached: IDEMFLOW_SERVICES_HOST, else 127.0.0.1. */
export const host = servicesHost(process.env.IDEMFLOW_SERVICES_HOST);
/**
 * Beam's Flink job server, and every server it opens, stays on loopback whatever IDEMFLOW_SERVICES_HOST
 * says: its job API runs submitted code without authentication, and the servers of each job advertise
 * "localhost" to the workers, so no other address could work (docs/operations.md, "What listens where").
 */
export const jobServerHost = '127.0.0.1';
/** Beam's Flink job server: job API here, artifact and expansion services on the two ports below. */
export const flinkJobPort = Number(process.env.IDEMFLOW_FLINK_JOB_PORT ?? 8099);
/**
 * A Flink session cluster (`scripts/services up flink-cluster`): the JobManager's REST endpoint (where
 * `--flink-master` points) and its RPC port; every other port of the cluster is picked free. On loopback
 * like the job server: a JobManager runs submitted jobs — code — without authentication.
 */
export const flinkRestPort = Number(process.env.IDEMFLOW_FLINK_REST_PORT ?? 8081);
export const flinkRpcPort = Number(process.env.IDEMFLOW_FLINK_RPC_PORT ?? 6123);

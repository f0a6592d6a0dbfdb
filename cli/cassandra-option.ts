import type { Client } from 'cassandra-driver';
import { cassandraSettings, connect } from '../connectors/cassandra/connection.ts';
import { describeConnectError } from '../connectors/cassandra/connect-error.ts';
import { loadCredentials } from '../connectors/credentials.ts';
import { schemaCql, tableSchemas } from '../connectors/cassandra/cql-schema.ts';
import type { PipelineNode } from '../compiler/ir/index.ts';
import { RunnerError } from '../runtime/runner-error.ts';

/** Connects when Cassandra is configured, creating the pipeline's keyspaces and tables if missing. */
export async function openCassandra(
  flag: string | undefined,
  pipeline: PipelineNode | undefined,
  log: (l: string) => void,
): Promise<Client | undefined> {
  const settings = cassandraSettings(flag);
  if (!settings) return undefined;
  const client = connect(settings);
  try {
    await client.connect();
  } catch (error) {
    await client.shutdown().catch(() => {});
    const tls = loadCredentials().cassandraTls !== undefined;
    throw new RunnerError(describeConnectError(error, settings.contactPoints, tls));
  }
  if (pipeline) {
    const statements = schemaCql(tableSchemas(pipeline));
    for (const cql of statements) await client.execute(cql);
    log(
      `cassandra: ${settings.contactPoints.join(',')}, ${statements.length} schema statements applied (IF NOT EXISTS)`,
    );
  }
  return client;
}

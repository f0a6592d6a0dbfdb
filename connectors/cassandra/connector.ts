import type { Client } from 'cassandra-driver';
import { RunnerError } from '../../runtime/runner-error.ts';
import type { TargetConnector } from '../../runtime/target-connector.ts';
import { loadCredentials } from '../credentials.ts';
import { describeConnectError } from './connect-error.ts';
import { cassandraSettings, connect } from './connection.ts';
import { migrateArchive } from './sor-migrate.ts';
import { cassandraCurrentRows } from './current-rows.ts';
import { schemaCql, tableSchemas } from './cql-schema.ts';
import { cassandraRepairTarget } from './repair-target.ts';
import { sorIdCheck } from './sor-id-check.ts';
import { cassandraTableSource } from './table-source.ts';
import { tableWriterOf } from './table-writer.ts';

/**
 * Cassandra as a target, over a connected session: sinks write with prepared statements, repair and the
 * dry-run read by token ranges, `source.cassandraTable` reads a system of record. Closing it shuts the
 * session down. `fetchSize`: rows a page when repair reads a table (default 5,000); `contactPoints`: what
 * the log line of `ensureSchema` names.
 */
export function cassandraConnector(
  client: Client,
  options: { readonly fetchSize?: number; readonly contactPoints?: readonly string[] } = {},
): TargetConnector {
  return {
    target: 'cassandra',
    async ensureSchema(pipeline) {
      const statements = schemaCql(tableSchemas(pipeline));
      for (const cql of statements) await client.execute(cql);
      const hosts = options.contactPoints ? `${options.contactPoints.join(',')}, ` : '';
      return `cassandra: ${hosts}${statements.length} schema statements applied (IF NOT EXISTS)`;
    },
    writer: (sink, pipeline) => tableWriterOf(client, sink, pipeline),
    archiveIdCheck: (sink) => sorIdCheck(client, sink),
    tableSource: ({ keyspace, table }, from) => cassandraTableSource(client, keyspace, table, from),
    repairTarget: (pipeline, reading) =>
      cassandraRepairTarget(client, pipeline, { fetchSize: options.fetchSize, onBadBlock: reading?.onBadBlock }),
    currentRows: (pipeline, tables) => cassandraCurrentRows(client, pipeline, tables),
    migrateArchive: (pipeline, from, onProgress) => migrateArchive(client, pipeline, from, onProgress),
    close: () => client.shutdown(),
  };
}

/**
 * Connects when Cassandra is configured (`--cassandra`, else `IDEMFLOW_CASSANDRA`); undefined when it is
 * not, and Cassandra sinks then write to the embedded store. A refused connection is one line naming the
 * host and the cause (TLS, credentials, not running).
 */
export async function openCassandra(flag: string | undefined): Promise<TargetConnector | undefined> {
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
  return cassandraConnector(client, { contactPoints: settings.contactPoints });
}

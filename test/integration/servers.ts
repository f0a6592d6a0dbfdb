import { Client, types } from 'cassandra-driver';
import { cassandraPort, host, kafkaPort } from '../../scripts/servers/config.ts';

export const brokers = [`${host}:${kafkaPort}`];
export const contactPoint = `${host}:${cassandraPort}`;

export async function cassandraClient(): Promise<Client> {
  const client = new Client({ contactPoints: [contactPoint], localDataCenter: 'datacenter1' });
  await client.connect();
  return client;
}

/** A short unique suffix, so that each test run has its own topics and tables. */
export const runId = () => `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;

/** Rows of a table as plain values (Longs and Dates to numbers). */
export async function selectAll(client: Client, cql: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for await (const row of client.stream(cql, [], {
    prepare: true,
    fetchSize: 5_000,
  }) as unknown as AsyncIterable<types.Row>) {
    const plain: Record<string, unknown> = {};
    for (const key of row.keys()) {
      const v = row.get(key);
      plain[key] = v instanceof types.Long ? v.toNumber() : v instanceof Date ? v.getTime() : v;
    }
    rows.push(plain);
  }
  return rows;
}

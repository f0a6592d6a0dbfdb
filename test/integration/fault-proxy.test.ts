import { Client } from 'cassandra-driver';
import { describe, expect, it } from 'vitest';
import { cassandra, source, tumbling } from 'idemflow';
import { schemaCql, tableSchemas } from '../../connectors/cassandra/cql-schema.ts';
import { EmbeddedStore } from '../../connectors/embedded/store.ts';
import { startCqlFaultProxy } from '../../connectors/proxy/cql-fault-proxy.ts';
import { cassandraPort, host } from '../../scripts/servers/config.ts';
import { runLocal } from '../../runners/local/index.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { generatorDefaults } from '../helpers/truth.ts';
import { cassandraClient, runId, selectAll } from './servers.ts';
import { cassandraConnector } from '../../connectors/cassandra/connector.ts';

const minute = 60_000;
const settings = { seed: 13, count: 3_000, keys: 10, intervalMs: 200, ...generatorDefaults };

/** A driver session through the proxy, with a short read timeout so that a swallowed response fails fast. */
async function throughProxy(port: number): Promise<Client> {
  const client = new Client({
    contactPoints: [`127.0.0.1:${port}`],
    localDataCenter: 'datacenter1',
    protocolOptions: { maxVersion: 4 },
    socketOptions: { readTimeout: 400, connectTimeout: 2_000 },
    pooling: { heartBeatInterval: 0 },
  });
  await client.connect();
  return client;
}

async function total(table: string): Promise<number> {
  const client = await cassandraClient();
  try {
    return (await selectAll(client, `SELECT measurements FROM idemflow_it.${table}`)).reduce(
      (a, r) => a + Number(r.measurements),
      0,
    );
  } finally {
    await client.shutdown();
  }
}

describe('lost acknowledgements through the fault-injecting proxy (real Cassandra)', () => {
  for (const kind of ['counter', 'upsert'] as const) {
    it(`${kind} sink: ${kind === 'counter' ? 'ends above the truth — the anti-pattern reproduced' : 'ends exact — retries are harmless'}`, async () => {
      const table = `proxy_${kind}_${runId()}`;
      const base = source
        .generator(settings)
        .withEventTime((e) => e.ts)
        .window(tumbling(minute))
        .groupBy('sensorId')
        .count();
      const key = { sensorid: 'key', ts: 'windowStart' } as const;
      const pipeline =
        kind === 'counter'
          ? base.sink(
              cassandra.counter({
                keyspace: 'idemflow_it',
                table,
                key,
                counter: 'measurements',
                retry: { retries: 5, backoffMs: 0 },
              }),
            )
          : base.sink(
              cassandra.upsert({
                keyspace: 'idemflow_it',
                table,
                key,
                values: { measurements: 'value' },
                retry: { retries: 5, backoffMs: 0 },
              }),
            );
      const admin = await cassandraClient();
      for (const cql of schemaCql(tableSchemas(pipeline.ir))) await admin.execute(cql);
      await admin.shutdown();

      const proxy = await startCqlFaultProxy({
        upstreamHost: host,
        upstreamPort: cassandraPort,
        dropResponseRate: 0.05,
        seed: 3,
      });
      const client = await throughProxy(proxy.port);
      try {
        await runLocal(pipeline.ir, {
          store: new EmbeddedStore(tempDir()),
          targets: [cassandraConnector(client)],
          batchSize: 300,
          log: () => {},
        });
      } finally {
        await client.shutdown();
        await proxy.close();
      }
      expect(proxy.stats.swallowedResponses).toBeGreaterThan(0);
      const counted = await total(table);
      if (kind === 'counter') expect(counted).toBeGreaterThan(settings.count);
      else expect(counted).toBe(settings.count);
    }, 120_000);
  }
});

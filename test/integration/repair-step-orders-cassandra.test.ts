import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cassandraRepairTarget } from '../../connectors/cassandra/repair-target.ts';
import { schemaCql, tableSchemas } from '../../connectors/cassandra/cql-schema.ts';
import { EmbeddedStore } from '../../connectors/embedded/store.ts';
import { parseFaults, repair, runLocal } from '../../runners/local/index.ts';
import { everyOrder, orderedPipeline, orderInput, orderTruth, unrepairable } from '../helpers/step-orders.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { cassandraClient, runId, selectAll } from './servers.ts';
import { cassandraConnector } from '../../connectors/cassandra/connector.ts';

describe('repair on the real Cassandra derives every step around the archive as the stream does', () => {
  it('each order of withEventTime, archive, filter and map: a lossy run repairs to the truth, or repair refuses (IDEM014)', async () => {
    const client = await cassandraClient();
    const id = runId();
    try {
      for (const order of everyOrder) {
        const name = order.join('');
        const dir = tempDir();
        const input = join(dir, 'input.jsonl');
        const readings = orderInput(input, 1_200, `${id}-${name}`);
        const tables = {
          keyspace: 'idemflow_it',
          events: `order_events_${id}_${name}`.toLowerCase(),
          counts: `order_counts_${id}_${name}`.toLowerCase(),
        };
        const pipeline = orderedPipeline(order, input, tables).ir;
        if (unrepairable(order)) {
          await expect(repair(pipeline, { target: cassandraRepairTarget(client, pipeline) }), name).rejects.toThrow(
            /\(IDEM014\)/,
          );
          continue;
        }
        for (const cql of schemaCql(tableSchemas(pipeline))) await client.execute(cql);
        await runLocal(pipeline, {
          store: new EmbeddedStore(join(dir, 'store')),
          targets: [cassandraConnector(client)],
          batchSize: 250,
          faults: parseFaults('loss=0.05'),
          seed: 5,
          log: () => {},
        });
        const rows = async () =>
          new Map(
            (await selectAll(client, `SELECT sensorid, ts, measurements FROM ${tables.keyspace}.${tables.counts}`)).map(
              (r) => [JSON.stringify([r.sensorid, r.ts]), Number(r.measurements)],
            ),
          );
        const truth = orderTruth(order, readings);
        expect(await rows(), name).not.toEqual(truth);
        const result = await repair(pipeline, { target: cassandraRepairTarget(client, pipeline) });
        expect(await rows(), name).toEqual(truth);
        expect(result.checked, name).toBe(truth.size);
      }
    } finally {
      await client.shutdown();
    }
  }, 600_000);
});

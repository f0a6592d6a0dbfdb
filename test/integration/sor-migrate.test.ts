import { describe, expect, it } from 'vitest';
import type { Client } from 'cassandra-driver';
import { cassandraRepairTarget } from '../../connectors/cassandra/repair-target.ts';
import { sorTableCql, type SorLayout } from '../../connectors/cassandra/sor-layout.ts';
import { migrateArchive } from '../../connectors/cassandra/sor-migrate.ts';
import { repair } from '../../runners/local/index.ts';
import { rowsToOps } from '../../runtime/sinks/table-ops.ts';
import { runCli } from '../helpers/run-cli.ts';
import { archived, archiving, countsBySensor, rowLayoutCql, sorOf, writerOf, type Reading } from './archived.ts';
import { cassandraClient, contactPoint, runId, selectAll } from './servers.ts';

const keyspace = 'idemflow_it';

/** An old archive in `layout`: 2,000 readings either side of UTC midnight, a fifth archived again later for another sensor. */
async function oldArchive(client: Client, table: string, layout: SorLayout): Promise<Map<string, Reading>> {
  await client.execute(layout === 'rows' ? rowLayoutCql(keyspace, table) : sorTableCql(keyspace, table, layout));
  const pipeline = archiving(table);
  const writer = await writerOf(client, pipeline);
  const midnight = Date.UTC(2024, 0, 2);
  const first = Array.from({ length: 2_000 }, (_, i) => ({
    eventId: `e${i}`,
    sensorId: `s${i % 5}`,
    ts: midnight - 100_000 + i * 100,
  }));
  const again = first.filter((_, i) => i % 5 === 0).map((e) => ({ ...e, ts: e.ts + 3_600_000, sensorId: 'moved' }));
  for (const events of [first, again]) await writer.write(rowsToOps(sorOf(pipeline), events));
  return new Map([...first, ...again].map((e) => [e.eventId, e]));
}

describe('idemflow migrate: an archive of an older layout copied into the deflated table the pipeline archives into', () => {
  for (const layout of ['rows', 'blocks'] as const)
    it(`${layout}: a copy cut short then run twice holds each id once, the copy written last; repair counts it whole`, async () => {
      const id = runId();
      const client = await cassandraClient();
      try {
        const truth = await oldArchive(client, `old_${layout}_${id}`, layout);
        const pipeline = archiving(`new_${id}`);
        // What a copy killed half-way leaves: some of the events already in the new table.
        const writer = await writerOf(client, pipeline);
        await writer.write(rowsToOps(sorOf(pipeline), [...truth.values()].slice(0, 700)));
        for (let run = 0; run < 2; run++) {
          const result = await migrateArchive(client, pipeline, { keyspace, table: `old_${layout}_${id}` });
          expect(result).toEqual({ events: truth.size, into: `${keyspace}.new_${id}` });
        }
        const read = await archived(client, keyspace, `new_${id}`);
        expect(read.length).toBe(truth.size);
        expect(new Map(read.map((e) => [e.eventId, e.event]))).toEqual(truth);
        const repaired = await repair(pipeline, { target: cassandraRepairTarget(client, pipeline) });
        expect(repaired.events).toBe(truth.size);
        const counts = await selectAll(client, `SELECT sensor, n FROM ${keyspace}.new_${id}_n`);
        expect(new Map(counts.map((r) => [r.sensor, Number(r.n)]))).toEqual(countsBySensor(truth.values()));
      } finally {
        await client.shutdown();
      }
    }, 180_000);

  it('through the CLI: copies into the archive of the pipeline file, which repair then reads; refuses a copy onto itself', async () => {
    const id = runId();
    const client = await cassandraClient();
    const env = { IT_RUN_ID: id };
    const file = 'test/fixtures/integration/kafka-sensor-counts.ts';
    try {
      const truth = await oldArchive(client, `old_cli_${id}`, 'rows');
      const migrated = runCli(['migrate', file, '--from', `${keyspace}.old_cli_${id}`, '--cassandra', contactPoint], {
        env,
      });
      expect(migrated.status, migrated.stderr).toBe(0);
      expect(migrated.stdout).toContain(
        `migrate of it-sensor-counts: ${truth.size} events from ${keyspace}.old_cli_${id} into ${keyspace}.sensor_events_${id}`,
      );
      const dry = runCli(['repair', file, '--cassandra', contactPoint, '--dry-run', '-q'], { env });
      expect(dry.status, dry.stderr).toBe(0);
      expect(dry.stdout).toContain(`${truth.size} events`);
      const onto = runCli(['migrate', file, '--from', `${keyspace}.sensor_events_${id}`, '--cassandra', contactPoint], {
        env,
      });
      expect(onto.status).toBe(2);
      expect(onto.stderr).toContain(`is the table it-sensor-counts archives into already`);
    } finally {
      await client.shutdown();
    }
  }, 180_000);
});

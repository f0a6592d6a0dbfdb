import { describe, expect, it } from 'vitest';
import type { Client } from 'cassandra-driver';
import { cassandraCurrentRows } from '../../connectors/cassandra/current-rows.ts';
import { sorTableCql } from '../../connectors/cassandra/sor-layout.ts';
import { systemOfRecordPairs, type PairsRead } from '../../connectors/cassandra/sor-reader.ts';
import { cassandraTableSource } from '../../connectors/cassandra/table-source.ts';
import { rowsToOps } from '../../runtime/sinks/table-ops.ts';
import { archived, archiving, sorOf, writerOf, type Reading } from './archived.ts';
import { cassandraClient, runId } from './servers.ts';

const keyspace = 'idemflow_it';

/** What repair reads (and the dry-run looks up by id): each id with its event, over as many passes as it takes. */
async function repairsRead(client: Client, table: string): Promise<Map<string, unknown>> {
  let events = new Map<string, unknown>();
  let read: PairsRead | undefined = systemOfRecordPairs(client, keyspace, table);
  while (read) {
    events = new Map();
    for await (const [ids, decoded] of read.runs) {
      expect(decoded.length).toBe(ids.length);
      ids.forEach((id, i) => events.set(id, decoded[i]));
    }
    read = await read.exact();
  }
  return events;
}

/** What `source.cassandraTable` delivers, `size` events a batch, with the position string of each. */
async function sourced(client: Client, table: string, size: number): Promise<{ values: Reading[]; where: string[] }> {
  const reader = cassandraTableSource(client, keyspace, table, undefined);
  const values: Reading[] = [];
  const where: string[] = [];
  for (;;) {
    const batch = await reader.read(size);
    expect(batch.values.length).toBeLessThanOrEqual(size);
    batch.values.forEach((v, i) => {
      values.push(v as Reading);
      where.push(batch.position(i));
    });
    if (batch.done) break;
  }
  await reader.close();
  return { values, where };
}

/**
 * An archive with everything a reader must get right: 60 batches (hundreds of
 * blocks, more than a page of them in a token range, partitions of more than
 * 16 blocks), ids whose blocks interleave (e1, e10, e2), a replay cut
 * differently, and ids again an hour later for another sensor (two partitions).
 */
async function busyArchive(client: Client, table: string): Promise<Map<string, Reading>> {
  const pipeline = archiving(table);
  const writer = await writerOf(client, pipeline);
  const write = (events: readonly Reading[]) => writer.write(rowsToOps(sorOf(pipeline), events));
  const base = Date.UTC(2024, 0, 1);
  const at = (i: number, sensorId = `s${i % 7}`, ts = base + i * 97): Reading => ({ eventId: `e${i}`, sensorId, ts });
  const truth = new Map<string, Reading>();
  const written = async (events: readonly Reading[]) => {
    await write(events);
    for (const e of events) truth.set(e.eventId, e);
  };
  for (let batch = 0; batch < 60; batch++) await written(Array.from({ length: 300 }, (_, k) => at(batch * 300 + k)));
  await written(Array.from({ length: 2_000 }, (_, k) => at(5_000 + k)));
  await written(Array.from({ length: 500 }, (_, k) => at(k * 31, 'moved', base + k * 31 * 97 + 3_600_000)));
  return truth;
}

describe('the readers of a Cassandra system of record agree', () => {
  for (const layout of ['deflated-blocks', 'blocks', 'rows'] as const)
    it(`${layout}: source.cassandraTable, the dry-run and repair's read give identical events, each id once`, async () => {
      const table = `sor_agree_${layout.replace('-', '_')}_${runId()}`;
      const client = await cassandraClient();
      try {
        // The layouts of older versions made by hand, as a deployment's existing table.
        if (layout !== 'deflated-blocks') await client.execute(sorTableCql(keyspace, table, layout));
        const truth = await busyArchive(client, table);
        expect(truth.size).toBe(18_000);

        const repairs = await repairsRead(client, table);
        expect(repairs).toEqual(truth);

        const { values, where } = await sourced(client, table, 777);
        expect(values.length).toBe(truth.size);
        expect(new Map(values.map((v) => [v.eventId, v]))).toEqual(truth);
        // In the reader's order, each with its own partition and id as its position.
        const entries = await archived(client, keyspace, table);
        expect(values.map((v) => v.eventId)).toEqual(entries.map((e) => e.eventId));
        expect(where).toEqual(entries.map((e) => `${keyspace}.${table}/${e.position.bucket}/${e.eventId}`));

        const lookups = await cassandraCurrentRows(client, archiving(table), new Set([`${keyspace}.${table}`]));
        const lookup = lookups.get(`${keyspace}.${table}`)!;
        for (const [id, event] of truth) expect(lookup([id])).toEqual({ payload: event });
        expect(lookup(['e-never'])).toBeUndefined();
      } finally {
        await client.shutdown();
      }
    }, 240_000);
});

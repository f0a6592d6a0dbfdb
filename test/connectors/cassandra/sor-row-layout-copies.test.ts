import { describe, expect, it } from 'vitest';
import type { Client } from 'cassandra-driver';
import { cassandra, source } from 'idemflow';
import { PipelineNode } from '../../../compiler/ir/index.ts';
import { tableWriterOf } from '../../../connectors/cassandra/table-writer.ts';

type Reading = { eventId: string; v: string; ts: number };
const day = 86_400_000;

/** A client whose table has the row layout of older versions; it keeps each upsert's params ([payload, bucket, event_id]). */
function rowLayoutClient() {
  const upserts: unknown[][] = [];
  const columns = [
    ['bucket', 'text'],
    ['event_id', 'text'],
    ['payload', 'text'],
  ].map(([name, type]) => ({ get: (c: string) => (c === 'column_name' ? name : type) }));
  const client = {
    execute: (cql: string, params: unknown[]) => {
      if (cql.includes('system_schema')) return Promise.resolve({ rows: columns });
      upserts.push(params);
      return Promise.resolve({ rows: [] });
    },
    batch: (queries: { params: unknown[] }[]) => (queries.forEach((q) => upserts.push(q.params)), Promise.resolve()),
    getReplicas: () => undefined,
  } as unknown as Client;
  return { client, upserts };
}

describe('a system of record of the row layout: one id twice in a batch, on two days', () => {
  it('upserts the batch’s last copy only, not a row a day written side by side', async () => {
    // Before: a row in each day's partition, in batches sent side by side; the reader keeps the row written
    // last (by write time), whichever batch landed last.
    const pipeline = source
      .memory<Reading>([])
      .archive(cassandra.systemOfRecord({ keyspace: 'ks', table: 'events', id: 'eventId' }))
      .withEventTime((e) => e.ts)
      .groupBy('v')
      .count()
      .sink(cassandra.upsert({ keyspace: 'ks', table: 'n', key: { v: 'key' }, values: { n: 'value' } })).ir;
    const sor = PipelineNode.sinks(pipeline).find((s) => s.mode === 'system-of-record')!;
    const { client, upserts } = rowLayoutClient();
    const events: Reading[] = [
      { eventId: 'x', v: 'first', ts: 0 },
      { eventId: 'y', v: 'other', ts: day },
      { eventId: 'x', v: 'last', ts: day },
    ];
    await tableWriterOf(client, sor, pipeline).archive(
      events.map((e) => e.eventId),
      events,
    );
    const rows = upserts.map(([payload, bucket, id]) => [id, bucket, JSON.parse(String(payload)).v]);
    expect(rows.sort()).toEqual([
      ['x', '1970-01-02', 'last'],
      ['y', '1970-01-02', 'other'],
    ]);
  });
});

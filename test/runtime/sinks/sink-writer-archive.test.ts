import { describe, expect, it } from 'vitest';
import { cassandra, source } from '../../../dsl/index.ts';
import { PipelineNode } from '../../../compiler/ir/index.ts';
import { Targets, type TableWriter, type TargetConnector } from '../../../runtime/target-connector.ts';
import { sinkWriter, type PlannedWrite } from '../../../runtime/sinks/sink-writer.ts';
import type { TableOp } from '../../../runtime/sinks/table-op.ts';

interface Reading {
  readonly eventId: string;
  readonly n: number;
}

const pipeline = source
  .memory<Reading>([])
  .archive(cassandra.systemOfRecord({ keyspace: 'k', table: 'events', id: 'eventId' }))
  .groupBy('eventId')
  .count()
  .sink(cassandra.upsert({ keyspace: 'k', table: 'counts', key: { id: 'key' }, values: { n: 'value' } })).ir;
const sor = PipelineNode.sinks(pipeline).find((s) => s.mode === 'system-of-record')!;
const rows: Reading[] = [
  { eventId: 'a', n: 1 },
  { eventId: 'b', n: 2 },
  { eventId: 'a', n: 3 },
];
/** What the archive step hands the writer: each event beside the id the step took from it. */
const archived = rows.map((event) => ({ id: event.eventId, event }));

/** Targets whose one connector hands out `writer` for every sink. */
function targetsWith(writer: TableWriter): Targets {
  const connector = { target: 'embedded', writer: () => writer } as unknown as TargetConnector;
  return new Targets(connector);
}

const context = (targets: Targets, plan?: PlannedWrite[]) => ({
  pipeline,
  targets,
  memory: new Map(),
  plan,
  log: () => {},
});

describe('a system of record written by its table writer', () => {
  it('gives a writer that archives the events as they are, beside their ids: no op an event', async () => {
    const got: { keys: readonly unknown[]; events: readonly unknown[] }[] = [];
    const ops: TableOp[][] = [];
    const writer: TableWriter = {
      write: (o) => void ops.push([...o]),
      archive: (keys, events) => void got.push({ keys, events }),
    };
    await sinkWriter(sor, context(targetsWith(writer))).write(archived);
    expect(ops).toEqual([]);
    expect(got).toEqual([{ keys: ['a', 'b', 'a'], events: rows }]);
    // The very rows, not copies: the events are encoded once, where they lie.
    expect(got[0]!.events[1]).toBe(rows[1]);
  });

  it('gives a writer without `archive` the upserts of before, and a dry-run plans them', async () => {
    const ops: TableOp[][] = [];
    await sinkWriter(sor, context(targetsWith({ write: (o) => void ops.push([...o]) }))).write(archived);
    const upserts = rows.map((r) => ({ op: 'upsert', k: [r.eventId], v: { payload: r } }));
    expect(ops).toEqual([upserts]);
    const plan: PlannedWrite[] = [];
    const archive = () => {
      throw new Error('a dry-run writes nothing');
    };
    await sinkWriter(sor, context(targetsWith({ write: archive, archive }), plan)).write(archived);
    expect(plan).toEqual([{ sink: 'k.events', mode: 'system-of-record', ops: upserts }]);
  });

  it('stores each event under the id the archive step took, not one computed again from the event', async () => {
    const got: (readonly unknown[])[] = [];
    const writer: TableWriter = { write: () => {}, archive: (keys) => void got.push(keys) };
    await sinkWriter(sor, context(targetsWith(writer))).write([{ id: 'as-taken', event: rows[0] }]);
    expect(got).toEqual([['as-taken']]);
  });
});

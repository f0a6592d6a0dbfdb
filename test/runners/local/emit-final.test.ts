import { describe, expect, it } from 'vitest';
import { BuildError, embedded, sink, source, tumbling } from 'idemflow';
import { EmbeddedStore } from '../../../connectors/embedded/store.ts';
import { runLocal } from '../../../runners/local/index.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

const minute = 60_000;
const quiet = { log: () => {}, sleep: async () => {} };
// 600 events, 3 sensors, one every 2 s of event time, in order: 20 one-minute windows per sensor.
const events = Array.from({ length: 600 }, (_, i) => ({ eventId: `e${i}`, sensorId: `s${i % 3}`, ts: i * 2_000 }));
const truth = new Map<string, number>();
for (const e of events) {
  const id = `${e.sensorId}@${Math.floor(e.ts / minute) * minute}`;
  truth.set(id, (truth.get(id) ?? 0) + 1);
}

type Row = { key: string; windowStart: number; value: number };
const counted = (emit: 'updates' | 'final') =>
  source
    .memory(events)
    .withEventTime((e) => e.ts)
    .window(tumbling(minute, { emit }))
    .groupBy('sensorId')
    .count();

async function written(emit: 'updates' | 'final', batchSize: number) {
  const rows: Row[] = [];
  await runLocal(counted(emit).sink(sink({ write: (batch) => void rows.push(...batch), idempotent: true })).ir, {
    store: new EmbeddedStore(tempDir()),
    batchSize,
    ...quiet,
  });
  return rows;
}

const latest = (rows: readonly Row[]) => new Map(rows.map((r) => [`${r.key}@${r.windowStart}`, r.value]));

describe("windows with emit: 'final'", () => {
  it('write each window once, when it closes, with the same final values as after every update', async () => {
    const updates = await written('updates', 25);
    const final = await written('final', 25);
    expect(latest(final)).toEqual(truth);
    expect(latest(updates)).toEqual(truth);
    expect(final).toHaveLength(truth.size);
    expect(updates.length).toBeGreaterThan(final.length);
  });

  it('a counter gets one delta a window: the totals are exact', async () => {
    const store = new EmbeddedStore(tempDir());
    await runLocal(
      counted('final').sink(embedded.counter({ table: 'ctr', key: { s: 'key', ts: 'windowStart' }, counter: 'n' })).ir,
      { store, batchSize: 25, ...quiet },
    );
    expect(
      new Map(
        store
          .table({ table: 'ctr' })
          .rows()
          .map((r) => [`${r.key[0]}@${r.key[1]}`, r.columns.n]),
      ),
    ).toEqual(truth);
  });

  it('a run stopped by record count writes its open windows to an upsert, not to a counter; resumed, both end exact', async () => {
    const upsertStore = new EmbeddedStore(tempDir());
    const upsertCheckpoint = tempDir();
    const upsert = counted('final').sink(
      embedded.upsert({ table: 'up', key: { s: 'key', ts: 'windowStart' }, values: { n: 'value' } }),
    );
    await runLocal(upsert.ir, {
      store: upsertStore,
      checkpointDir: upsertCheckpoint,
      batchSize: 25,
      maxRecords: 300,
      ...quiet,
    });
    const partial = upsertStore
      .table({ table: 'up' })
      .rows()
      .reduce((a, r) => a + Number(r.columns.n), 0);
    expect(partial).toBe(300);

    const counterStore = new EmbeddedStore(tempDir());
    const counterCheckpoint = tempDir();
    const counter = counted('final').sink(
      embedded.counter({ table: 'ctr', key: { s: 'key', ts: 'windowStart' }, counter: 'n' }),
    );
    await runLocal(counter.ir, {
      store: counterStore,
      checkpointDir: counterCheckpoint,
      batchSize: 25,
      maxRecords: 300,
      ...quiet,
    });
    const closedOnly = counterStore
      .table({ table: 'ctr' })
      .rows()
      .reduce((a, r) => a + Number(r.columns.n), 0);
    expect(closedOnly).toBeLessThan(300);

    await runLocal(upsert.ir, { store: upsertStore, checkpointDir: upsertCheckpoint, batchSize: 25, ...quiet });
    await runLocal(counter.ir, { store: counterStore, checkpointDir: counterCheckpoint, batchSize: 25, ...quiet });
    expect(
      new Map(
        upsertStore
          .table({ table: 'up' })
          .rows()
          .map((r) => [`${r.key[0]}@${r.key[1]}`, r.columns.n]),
      ),
    ).toEqual(truth);
    expect(
      new Map(
        counterStore
          .table({ table: 'ctr' })
          .rows()
          .map((r) => [`${r.key[0]}@${r.key[1]}`, r.columns.n]),
      ),
    ).toEqual(truth);
  });

  it('an unknown emit mode is a build error naming it', () => {
    expect(() => tumbling(minute, { emit: 'sometimes' as 'final' })).toThrow(BuildError);
    expect(() => tumbling(minute, { emit: 'sometimes' as 'final' })).toThrow(
      /emit must be 'updates' or 'final', got "sometimes"/,
    );
  });
});

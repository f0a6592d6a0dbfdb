import { describe, expect, it } from 'vitest';
import { embedded, source } from 'idemflow';
import { EmbeddedStore } from '../../../connectors/embedded/store.ts';
import { runLocal } from '../../../runners/local/index.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

const quiet = { log: () => {} };
const ref = { keyspace: 'ks', table: 'events' };
const archive = (store: EmbeddedStore, ids: readonly string[]) =>
  store.table(ref).write(ids.map((id) => ({ op: 'upsert', k: [id], v: { payload: { eventId: id } } })));
const reads = source
  .cassandraTable(ref)
  .groupBy((e) => (e as { eventId: string }).eventId)
  .count()
  .sink(embedded.upsert({ table: 'reads', key: { id: 'key' }, values: { n: 'value' } })).ir;

describe('source.cassandraTable on the embedded store (no Cassandra configured)', () => {
  it('resumes after the last row read: rows written between a stop and a resume neither repeat nor hide rows', async () => {
    const dir = tempDir();
    const first = Array.from({ length: 600 }, (_, i) => `e${String(i).padStart(3, '0')}`);
    archive(new EmbeddedStore(dir), first);
    const checkpointDir = tempDir();
    const stopped = await runLocal(reads, {
      store: new EmbeddedStore(dir),
      checkpointDir,
      batchSize: 50,
      maxRecords: 250,
      ...quiet,
    });
    expect(stopped.recordsIn).toBe(250);
    // Behind the position (`a…` sort before `e…`), and ahead of it (`n…`).
    archive(new EmbeddedStore(dir), [
      ...Array.from({ length: 100 }, (_, i) => `a${i}`),
      ...Array.from({ length: 100 }, (_, i) => `n${i}`),
    ]);
    const store = new EmbeddedStore(dir);
    const resumed = await runLocal(reads, { store, checkpointDir, batchSize: 50, ...quiet });
    const n = new Map(
      store
        .table({ table: 'reads' })
        .rows()
        .map((r) => [String(r.key[0]), Number(r.columns.n)]),
    );
    for (const id of first) expect(n.get(id), id).toBe(1);
    for (let i = 0; i < 100; i++) {
      expect(n.get(`a${i}`)).toBeUndefined();
      expect(n.get(`n${i}`)).toBe(1);
    }
    expect(resumed.recordsIn).toBe(350 + 100);
  });
});

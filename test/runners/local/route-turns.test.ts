import { describe, expect, it } from 'vitest';
import { embedded, source } from 'idemflow';
import { EmbeddedStore, runLocal } from '../../../runners/local/index.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

describe('a long batch is routed with turns of the event loop between its records', () => {
  it("I/O scheduled by a batch's first record runs before its last record is routed (the batch before writes meanwhile)", async () => {
    const count = 5_000;
    // For each record, whether an immediate scheduled at the batch's first record had run by then.
    const seen: boolean[] = [];
    let fired = false;
    const pipeline = source
      .memory(Array.from({ length: count }, (_, i) => ({ id: `e${i}`, n: i })))
      .map((e) => {
        if (seen.length === 0) setImmediate(() => (fired = true));
        seen.push(fired);
        return e;
      })
      .sink(embedded.upsert({ table: 'ids', key: { id: 'id' }, values: { n: 'n' } }));
    await runLocal(pipeline.ir, { store: new EmbeddedStore(tempDir()), batchSize: count, log: () => {} });
    expect(seen).toHaveLength(count);
    // Routed without a pause, every record of the one batch saw `false`.
    expect(seen.at(-1)).toBe(true);
    // A turn every 1,024 records: the first turn falls after the 1,024th.
    expect(seen.indexOf(true)).toBe(1_024);
  });
});

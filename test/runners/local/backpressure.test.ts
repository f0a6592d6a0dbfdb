import { describe, expect, it } from 'vitest';
import { sink, source } from 'idemflow';
import { EmbeddedStore } from '../../../connectors/embedded/store.ts';
import { runLocal } from '../../../runners/local/index.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

describe('backpressure', () => {
  it('a slow sink slows the source: at most two batches are ever read ahead of what the sink acknowledged', async () => {
    const batchSize = 100;
    let acknowledged = 0;
    let maxAhead = 0;
    const slow = sink<{ key: string; value: number }>({
      write: async (rows) => {
        await new Promise((r) => setTimeout(r, 20));
        acknowledged += rows.reduce((a, r) => a + r.value, 0);
      },
      idempotent: false,
      retry: 'none',
    });
    // A custom sink gets each batch's deltas only if it counts; give it the rows of a count per event id.
    const p = source.generator({ count: 2_000, keys: 2_000 }).groupBy('eventId').count().sink(slow);
    const result = await runLocal(p.ir, {
      store: new EmbeddedStore(tempDir()),
      batchSize,
      log: () => {},
      onProgress: (pr) => (maxAhead = Math.max(maxAhead, pr.records - acknowledged)),
    });
    expect(result.recordsIn).toBe(2_000);
    expect(acknowledged).toBe(2_000);
    expect(maxAhead).toBeLessThanOrEqual(2 * batchSize);
  });
});

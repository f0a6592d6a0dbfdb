import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { embedded, source } from 'idemflow';
import { produceLines } from '../../connectors/kafka/produce.ts';
import { EmbeddedStore } from '../../connectors/embedded/store.ts';
import { runLocal } from '../../runners/local/index.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { brokers, runId } from './servers.ts';

const count = 20_000;

describe('--until-idle on Kafka (real broker)', () => {
  it('does not stop while partitions hold records it knows of but has not read: silence before the first fetch is not the end', async () => {
    const id = runId();
    const topic = `it-idle-${id}`;
    await produceLines(
      brokers,
      topic,
      Array.from({ length: count }, (_, i) => JSON.stringify({ k: `k${i % 7}`, pad: 'x'.repeat(2_000) })),
    );
    const lines: string[] = [];
    const pipeline = source
      .kafka({ brokers, topic, groupId: `it-idle-${id}` })
      .parse(z.object({ k: z.string(), pad: z.string() }))
      .groupBy('k')
      .count()
      .sink(embedded.upsert({ table: 'counts', key: { k: 'key' }, values: { n: 'value' } }));
    const store = new EmbeddedStore(tempDir());
    // 1 ms of silence: the old rule stopped on the first empty read, before the first fetch came back.
    const result = await runLocal(pipeline.ir, {
      store,
      batchSize: 1_000,
      batchIntervalMs: 1,
      untilIdleMs: 1,
      log: (l) => lines.push(l),
    });
    expect(result.stopped).toBe('idle');
    const total = [...store.table({ table: 'counts' }).rows()].reduce((a, r) => a + Number(r.columns.n), 0);
    expect(total).toBe(count);
  }, 120_000);
});

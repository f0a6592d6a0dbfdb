import { describe, expect, it } from 'vitest';
import { sink, source } from 'idemflow';
import { EmbeddedStore } from '../../../connectors/embedded/store.ts';
import { runLocal } from '../../../runners/local/index.ts';
import { lineSender } from '../../helpers/line-sender.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

describe('--until-idle', () => {
  it('counts silence from the source only: a batch whose writes take longer than the idle limit does not end the run', async () => {
    // Three bursts 300 ms apart; each batch's write takes 1.2 s, longer than the 800 ms idle limit.
    const lines = Array.from({ length: 90 }, (_, i) => `line ${i}`);
    const sender = await lineSender(lines, { burst: 30, pauseMs: 300, keepOpen: true });
    let written = 0;
    const slow = sink<unknown>({
      name: 'slow',
      idempotent: true,
      write: async (rows) => {
        await new Promise((r) => setTimeout(r, 1_200));
        written += rows.length;
      },
    });
    const result = await runLocal(source.socket({ host: '127.0.0.1', port: sender.port }).sink(slow).ir, {
      store: new EmbeddedStore(tempDir()),
      batchSize: 1_000,
      batchIntervalMs: 100,
      untilIdleMs: 800,
      log: () => {},
    });
    await sender.close();
    expect(result.stopped).toBe('idle');
    expect(written).toBe(90);
  }, 30_000);
});

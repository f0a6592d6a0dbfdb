import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { embedded, source } from 'idemflow';
import { EmbeddedStore } from '../../../connectors/embedded/store.ts';
import { parseFaults, runLocal, runWithRestarts } from '../../../runners/local/index.ts';
import { Reading } from '../../helpers/fixtures.ts';
import { lineSender } from '../../helpers/line-sender.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { sum, tableCounts } from '../../helpers/truth.ts';

const quiet = { log: () => {}, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, Math.min(ms, 5))) };
const lines = Array.from({ length: 1_000 }, (_, i) =>
  JSON.stringify({ eventId: `e${i}`, sensorId: `s${i % 5}`, ts: i * 100, value: 1 }),
);

function pipeline(port: number, walDir?: string) {
  const s = source.socket({ host: '127.0.0.1', port });
  return (walDir ? s.withWal({ dir: walDir }) : s)
    .parse(Reading)
    .groupBy('sensorId')
    .count()
    .sink(embedded.upsert({ table: 'counts', key: { s: 'key' }, values: { n: 'value' } }));
}

describe('socket receiver', () => {
  it('counts every line a sender sends, and bad lines become dead letters', async () => {
    const sender = await lineSender([...lines, 'garbage']);
    const store = new EmbeddedStore(tempDir());
    const result = await runLocal(pipeline(sender.port).ir, { store, batchSize: 100, ...quiet });
    await sender.close();
    expect(sum(tableCounts(store, 'counts', 'n'))).toBe(1_000);
    expect(result.deadLetters).toBe(1);
    expect(store.table({ table: 'dead_letters' }).rows()[0]!.columns.raw).toBe('garbage');
  });

  it('without a WAL, a batch whose writes fail is replayed from memory while the process lives: nothing lost', async () => {
    const sender = await lineSender(lines);
    const store = new EmbeddedStore(tempDir());
    const counts = pipeline(sender.port);
    const retried = { ...counts.ir, sink: { ...counts.ir.sink, retry: { retries: 1, backoffMs: 0 } } };
    const result = await runLocal(retried, {
      store,
      batchSize: 100,
      faults: parseFaults('write-fail=0.5'),
      seed: 2,
      maxReplays: 50,
      ...quiet,
    });
    await sender.close();
    expect(result.replays).toBeGreaterThan(0);
    expect(sum(tableCounts(store, 'counts', 'n'))).toBe(1_000);
  });

  it("without a WAL, a crash loses what was received but not yet written (the seed's plain receiver)", async () => {
    const sender = await lineSender(lines);
    const { store, crashes } = await runWithRestarts(pipeline(sender.port).ir, {
      storeDir: tempDir(),
      checkpointDir: tempDir(),
      batchSize: 100,
      faults: parseFaults('crash-at=5'),
      ...quiet,
    });
    await sender.close();
    expect(crashes).toEqual([5]);
    expect(sender.connections()).toBe(2);
    expect(sum(tableCounts(store, 'counts', 'n'))).toBeLessThanOrEqual(500);
  });

  it('with a WAL, a crash loses no received record: the restart replays the log', async () => {
    const sender = await lineSender(lines);
    const walDir = tempDir();
    const { store, crashes, result } = await runWithRestarts(pipeline(sender.port, walDir).ir, {
      storeDir: tempDir(),
      checkpointDir: tempDir(),
      batchSize: 100,
      faults: parseFaults('crash-at=5'),
      ...quiet,
    });
    await sender.close();
    expect(crashes).toEqual([5]);
    expect(sender.connections()).toBe(2);
    expect(result.recordsIn).toBeGreaterThanOrEqual(600); // replayed from the WAL after the checkpoint of batch 4
    expect(sum(tableCounts(store, 'counts', 'n'))).toBe(1_000);
    // Segments covered by a checkpoint are gone; the restart's segment remains.
    expect(readdirSync(walDir).filter((f) => f.endsWith('.log')).length).toBeLessThanOrEqual(2);
  });

  it('closes streaming batches by interval, and stops when the source goes idle', async () => {
    const sender = await lineSender(lines.slice(0, 60), { burst: 20, pauseMs: 250, keepOpen: true });
    const store = new EmbeddedStore(tempDir());
    const result = await runLocal(pipeline(sender.port).ir, {
      store,
      batchSize: 1_000,
      batchIntervalMs: 100,
      untilIdleMs: 600,
      log: () => {},
    });
    await sender.close();
    expect(result.stopped).toBe('idle');
    expect(result.batches).toBeGreaterThanOrEqual(3); // three bursts 250 ms apart, batches close after 100 ms
    expect(sum(tableCounts(store, 'counts', 'n'))).toBe(60);
  });

  it('an unreachable sender gives one clear error naming the address', async () => {
    const sender = await lineSender([]);
    const port = sender.port;
    await sender.close();
    const retries: string[] = [];
    const run = runLocal(pipeline(port).ir, {
      store: new EmbeddedStore(tempDir()),
      ...quiet,
      log: (l) => retries.push(l),
      connectAttempts: 3,
    });
    await expect(run).rejects.toThrow(
      new RegExp(
        `^source\\.socket: cannot reach 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\) after 3 attempts; is the sender listening\\?$`,
      ),
    );
    expect(retries).toEqual([
      expect.stringMatching(/retrying in 200 ms$/),
      expect.stringMatching(/retrying in 400 ms$/),
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { embedded, source } from 'idemflow';
import { parseFaults, runWithRestarts } from '../../../runners/local/index.ts';
import { Reading } from '../../helpers/fixtures.ts';
import { lineSender } from '../../helpers/line-sender.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

const quiet = { log: () => {}, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, Math.min(ms, 5))) };
const lines = Array.from({ length: 1_000 }, (_, i) =>
  JSON.stringify({ eventId: `e${i}`, sensorId: `s${i % 5}`, ts: i * 100, value: 1 }),
);

/** Counted by event id: the sink's keys are the events the stream aggregated. */
function pipeline(port: number, walDir?: string) {
  const socket = source.socket({ host: '127.0.0.1', port });
  return (walDir ? socket.withWal({ dir: walDir }) : socket)
    .parse(Reading)
    .archive(embedded.systemOfRecord({ table: 'events', id: 'eventId' }))
    .groupBy('eventId')
    .count()
    .sink(embedded.upsert({ table: 'counts', key: { id: 'key' }, values: { n: 'value' } }));
}

describe('the progress of the batch in flight is matched by its content, not only its position', () => {
  it('a socket without a WAL renumbers lines after a crash: the batch at the same positions is another, and its archive write is made', async () => {
    // The crash point within batch 5 is drawn from the seed: over these seeds it falls before, between and after the two writes.
    for (let seed = 1; seed <= 8; seed++) {
      const sender = await lineSender(lines, { burst: 50, pauseMs: 20 }); // a live stream: lines keep coming after the restart
      const { store, crashes, result } = await runWithRestarts(pipeline(sender.port).ir, {
        storeDir: tempDir(),
        checkpointDir: tempDir(),
        batchSize: 100,
        seed,
        faults: parseFaults('crash-at=5'),
        ...quiet,
      });
      await sender.close();
      expect(crashes, `seed ${seed}`).toEqual([5]);
      // The restart got other lines (what the first process held in memory died with it) under the same positions.
      expect(result.recordsIn, `seed ${seed}`).toBeGreaterThan(0);
      const archived = new Set(
        store
          .table({ table: 'events' })
          .rows()
          .map((r) => r.key[0]),
      );
      const aggregated = store
        .table({ table: 'counts' })
        .rows()
        .map((r) => r.key[0]);
      const missing = aggregated.filter((id) => !archived.has(id));
      expect(missing, `seed ${seed}: aggregated but never archived`).toEqual([]);
    }
  }, 60_000);

  it('the very same batch (replayed from a WAL) still skips the writes recorded as done', async () => {
    // Every tenth line is not a reading: its dead letter is an append, recorded as done once written (a repeat
    // would store it twice); the archive and the upsert are not recorded (their repeat leaves the same rows).
    const mixed = lines.map((line, i) => (i % 10 === 9 ? `not a reading ${i}` : line));
    let skipped = 0;
    for (let seed = 1; seed <= 8; seed++) {
      const sender = await lineSender(mixed, { burst: 50, pauseMs: 20 });
      const { store, crashes, result } = await runWithRestarts(pipeline(sender.port, tempDir()).ir, {
        storeDir: tempDir(),
        checkpointDir: tempDir(),
        batchSize: 100,
        seed,
        faults: parseFaults('crash-at=5'),
        ...quiet,
      });
      await sender.close();
      expect(crashes, `seed ${seed}`).toEqual([5]);
      // Every line received is stored once: a reading under its event id, a bad line under its position in the log.
      const stored = store.table({ table: 'events' }).size + store.table({ table: 'dead_letters' }).size;
      expect(stored, `seed ${seed}`).toBe(400 + result.recordsIn);
      // The restart replays batch 5 (10 bad lines) from the log: its dead letters are not written again when the
      // crash came after they were recorded; its archive write always is.
      const badLines = result.recordsIn / 10;
      expect(result.rowsWritten['embedded.events'], `seed ${seed}`).toBe(result.recordsIn - badLines);
      const written = result.rowsWritten['embedded.dead_letters'];
      if (written === badLines - 10) skipped++;
      else expect(written, `seed ${seed}`).toBe(badLines);
    }
    expect(skipped).toBeGreaterThan(0);
  }, 60_000);
});

import { describe, expect, it } from 'vitest';
import { embedded, source } from 'idemflow';
import { parseFaults, runWithRestarts } from '../../../runners/local/index.ts';
import { WalReader, WalWriter } from '../../../connectors/socket/wal.ts';
import { Reading } from '../../helpers/fixtures.ts';
import { lineSender } from '../../helpers/line-sender.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { sum, tableCounts } from '../../helpers/truth.ts';

const quiet = { log: () => {}, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, Math.min(ms, 5))) };
const reading = (i: number, note = '') =>
  JSON.stringify({ eventId: `e${i}`, sensorId: `s${i % 5}`, ts: i * 100, value: 1, ...(note ? { note } : {}) });
// Longer than the 4 MiB the reader takes at a time, and than twice that.
const long = reading(0, 'x'.repeat(9 * 1024 * 1024));
const lines = [long, ...Array.from({ length: 100 }, (_, i) => reading(i + 1))];

function readAll(reader: WalReader): string[] {
  const values: string[] = [];
  for (let batch = reader.read(1_000).values; batch.length > 0; batch = reader.read(1_000).values)
    values.push(...(batch as string[]));
  return values;
}

describe('a WAL line over 4 MiB (finding 7)', () => {
  it('is read whole, and the 100 lines after it too', () => {
    const dir = tempDir();
    const writer = new WalWriter(dir);
    writer.append(lines);
    writer.close();
    expect(readAll(new WalReader(dir, undefined))).toEqual(lines);
  });

  it('with a newer segment beside it: its segment is read to the end before the next one', () => {
    const dir = tempDir();
    const first = new WalWriter(dir);
    first.append(lines);
    first.close();
    const second = new WalWriter(dir);
    second.append(['next']);
    second.close();
    expect(readAll(new WalReader(dir, undefined))).toEqual([...lines, 'next']);
  });

  it('end to end: a socket with a WAL counts all 101 lines, also when a crash makes the restart replay the log from a newer segment', async () => {
    for (const crashAt of [[], [1]]) {
      const sender = await lineSender(lines);
      const walDir = tempDir();
      const pipeline = source
        .socket({ host: '127.0.0.1', port: sender.port })
        .withWal({ dir: walDir })
        .parse(Reading)
        .groupBy('sensorId')
        .count()
        .sink(embedded.upsert({ table: 'counts', key: { s: 'key' }, values: { n: 'value' } }));
      const { store, crashes } = await runWithRestarts(pipeline.ir, {
        storeDir: tempDir(),
        checkpointDir: tempDir(),
        batchSize: 10,
        faults: parseFaults(crashAt.length ? `crash-at=${crashAt.join('+')}` : ''),
        ...quiet,
      });
      await sender.close();
      expect({ crashes, counted: sum(tableCounts(store, 'counts', 'n')) }).toEqual({ crashes: crashAt, counted: 101 });
    }
  });
});

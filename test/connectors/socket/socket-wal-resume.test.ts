import { readdirSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { embedded, source } from 'idemflow';
import { parseFaults, runWithRestarts } from '../../../runners/local/index.ts';
import { Reading } from '../../helpers/fixtures.ts';
import { lineSender } from '../../helpers/line-sender.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { sum, tableCounts } from '../../helpers/truth.ts';

const quiet = { log: () => {}, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, Math.min(ms, 5))) };
/** Several socket reads' worth (~400 KiB): the receiver appends it to the log in many chunks. */
const lines = Array.from({ length: 6_000 }, (_, i) =>
  JSON.stringify({ eventId: `e${i}`, sensorId: `s${i % 5}`, ts: i * 100, value: 1, pad: 'x'.repeat(i % 17) }),
);

const pipeline = (port: number, walDir: string, acknowledge = true) =>
  source
    .socket({ host: '127.0.0.1', port })
    .withWal({ dir: walDir, acknowledge })
    .parse(Reading)
    .groupBy('sensorId')
    .count()
    .sink(embedded.upsert({ table: 'counts', key: { s: 'key' }, values: { n: 'value' } })).ir;

async function run(faults: string, walDir: string, resume: boolean) {
  const sender = await lineSender(lines, { resume, burst: 500 });
  try {
    const out = await runWithRestarts(pipeline(sender.port, walDir), {
      storeDir: tempDir(),
      checkpointDir: tempDir(),
      batchSize: 250,
      faults: parseFaults(faults),
      ...quiet,
    });
    return { ...out, counted: sum(tableCounts(out.store, 'counts', 'n')), sender };
  } finally {
    await sender.close();
  }
}

/**
 * Socket + WAL: the receiver acknowledges what its log holds (`logged n`),
 * and a sender that reconnects resumes there. Without that, a kill lost what
 * was in the connection or in a torn append, though the WAL is meant to lose
 * nothing (issue 14).
 */
describe('socket + WAL: a reconnecting sender resumes at what the log acknowledged', () => {
  it('a crash in the middle of an append: the torn lines are sent again, every line counted once', async () => {
    const walDir = tempDir();
    const { crashes, counted, sender } = await run('crash-mid-append=3', walDir, true);
    expect(crashes).toEqual([0]);
    expect(sender.connections()).toBe(2);
    expect(counted).toBe(lines.length);
    expect(sender.acknowledged()).toBe(lines.length);
  });

  it('kills between checkpoint and WAL truncation, and mid-batch, over several restarts: every line once', async () => {
    const walDir = tempDir();
    const { crashes, counted, sender } = await run(
      'crash-at=2+9,crash-after-checkpoint=5+14,crash-mid-append=4',
      walDir,
      true,
    );
    // Four batch crashes; the mid-append one strikes when a run makes 4 appends, and may fall in the same death as one of them.
    expect(crashes.length).toBeGreaterThanOrEqual(4);
    expect(counted).toBe(lines.length);
    expect(sender.acknowledged()).toBe(lines.length);
    // Segments a checkpoint passed are gone with their start files; the count survived them.
    const files = readdirSync(walDir);
    expect(files.filter((f) => f.endsWith('.log')).length).toBe(files.filter((f) => f.endsWith('.start')).length);
  });

  it('without acknowledge, a sender that closes its connection right after its last line loses nothing', async () => {
    // Written back to such a sender, an acknowledgement meets a closed socket (EPIPE) and failed the run.
    const server = createServer((socket) => {
      socket.on('error', () => {});
      socket.end(`${lines.slice(0, 300).join('\n')}\n`, () => socket.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const { result, store } = await runWithRestarts(pipeline(port, tempDir(), false), {
        storeDir: tempDir(),
        checkpointDir: tempDir(),
        batchSize: 100,
        ...quiet,
      });
      expect(result.stopped).toBe('end');
      expect(sum(tableCounts(store, 'counts', 'n'))).toBe(300);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('a sender that does not resume (nc) loses what a torn append held: why the acknowledgement exists', async () => {
    const { counted } = await run('crash-mid-append=3', tempDir(), false);
    expect(counted).toBeLessThan(lines.length);
  });
});

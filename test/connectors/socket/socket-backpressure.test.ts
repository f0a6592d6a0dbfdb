import { describe, expect, it } from 'vitest';
import { SocketReceiver } from '../../../connectors/socket/socket-receiver.ts';
import { lineSender } from '../../helpers/line-sender.ts';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('socket receiver backpressure', () => {
  it('stops reading while its queue is full, so the rest waits at the sender instead of in memory', async () => {
    const total = 400_000; // ~10 MB: more than loopback socket buffers hold
    const sender = await lineSender(
      Array.from({ length: total }, (_, i) => `line-${String(i).padStart(16, '0')}`),
      { burst: 5_000 },
    );
    const receiver = new SocketReceiver({ host: '127.0.0.1', port: sender.port, log: () => {}, maxQueued: 1_000 });
    await receiver.start();
    try {
      await wait(500);
      // One socket chunk may land after the pause: the queue stays near the bound, far below what was offered.
      expect(receiver.queue.length).toBeGreaterThanOrEqual(1_000);
      expect(receiver.queue.length).toBeLessThan(20_000);
      expect(sender.sent()).toBeLessThan(total);
      // Taking lines resumes reading, and everything arrives in the end.
      let taken = 0;
      for (let i = 0; i < 2_000 && taken < total; i++) {
        taken += receiver.queue.splice(0).length;
        receiver.taken();
        await wait(5);
      }
      expect(taken).toBe(total);
    } finally {
      receiver.close();
      await sender.close();
    }
  }, 60_000);
});

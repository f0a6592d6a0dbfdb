import { describe, expect, it } from 'vitest';
import { KafkaInput } from '../../connectors/kafka/kafka-input.ts';
import { produceLines } from '../../connectors/kafka/produce.ts';
import { brokers, runId } from './servers.ts';

const waitFor = async (read: () => Promise<number>, want: number) => {
  let got = 0;
  for (let i = 0; i < 200 && got < want; i++) {
    got += await read();
    if (got < want) await new Promise((r) => setTimeout(r, 50));
  }
  return got;
};

describe('Kafka input (real broker)', () => {
  it('hands each offset out once, seeks back to a checkpointed position, and drops what a rebalance took away', async () => {
    const topic = `it-input-${runId()}`;
    // Multi-byte text too: values cross the thread boundary as bytes and are decoded on the runner's side.
    const lines = Array.from({ length: 400 }, (_, i) =>
      JSON.stringify({ i, s: i % 2 ? 'ʕ•ᴥ•ʔ ünïcödé 日本' : 'ascii' }),
    );
    await produceLines(brokers, topic, lines);
    const input = new KafkaInput({ brokers, topic, groupId: `it-input-${runId()}`, log: () => {} });
    await input.start();
    try {
      const reader = input.reader(undefined);
      const seen: string[] = [];
      expect(
        await waitFor(async () => {
          const b = await reader.read(1_000);
          seen.push(...(b.values as string[]));
          return b.values.length;
        }, 400),
      ).toBe(400);
      expect([...seen].sort()).toEqual([...lines].sort());
      const end = reader.position() as Record<string, number>;
      expect(Object.values(end).reduce((a, b) => a + b, 0)).toBe(400);

      // A replay from a checkpoint halfway through one partition: exactly the records after it come again.
      const [partition, last] = Object.entries(end)[0]!;
      const from = { ...end, [partition]: last - 25 };
      const again = input.reader(from);
      const replayed: string[] = [];
      expect(
        await waitFor(async () => {
          const b = await again.read(1_000);
          replayed.push(...(b.values as string[]));
          return b.values.length;
        }, 25),
      ).toBe(25);
      expect(replayed.every((v) => seen.includes(v))).toBe(true);

      // Losing every partition in a rebalance: nothing buffered from them is handed out.
      input.assigned([]);
      expect((await again.read(1_000)).values).toEqual([]);
    } finally {
      await input.close();
    }
  }, 60_000);

  it('refuses to share a consumer group when the pipeline aggregates: a second runner stops and says why, the first reads every record once', async () => {
    const topic = `it-exclusive-${runId()}`;
    const groupId = `it-exclusive-${runId()}`;
    await produceLines(
      brokers,
      topic,
      Array.from({ length: 400 }, (_, i) => JSON.stringify({ i })),
    );
    const logs: string[] = [];
    const first = new KafkaInput({ brokers, topic, groupId, log: (line) => logs.push(line), exclusive: true });
    await first.start();
    try {
      const second = new KafkaInput({ brokers, topic, groupId, log: () => {}, exclusive: true });
      await expect(second.start()).rejects.toThrow(
        new RegExp(
          `consumer group ${groupId} has another member, which holds partitions \\[\\d\\] of ${topic}; this pipeline aggregates.*Stop the other runner, or give this one its own groupId`,
        ),
      );
      await second.close();
      const reader = first.reader(undefined);
      const seen: string[] = [];
      expect(
        await waitFor(async () => {
          const b = await reader.read(1_000);
          seen.push(...(b.values as string[]));
          return b.values.length;
        }, 400),
      ).toBe(400);
      expect(new Set(seen).size).toBe(400);
      // The first runner saw the group shrink its share while the second was in it, and said so.
      expect(logs.some((line) => line.includes(`a rebalance of group ${groupId} left this runner partitions [`))).toBe(
        true,
      );
    } finally {
      await first.close();
    }
  }, 90_000);

  it("bounds what waits between the threads while the runner's thread is busy (the consumer pauses itself), and loses nothing", async () => {
    const topic = `it-bound-${runId()}`;
    const total = 100_000;
    // About 9 MB: many fetches of 64 KiB, and less than a second of decoding for the consumer thread.
    await produceLines(
      brokers,
      topic,
      Array.from({ length: total }, (_, i) => JSON.stringify({ i, pad: 'x'.repeat(80) })),
    );
    const input = new KafkaInput({
      brokers,
      topic,
      groupId: `it-bound-${runId()}`,
      log: () => {},
      maxBuffered: 1_000,
      fetchBytes: 64 * 1024,
    });
    await input.start();
    try {
      const reader = input.reader(undefined);
      const seen = new Set<string>();
      // Take what is buffered, so that the consumer is told to resume fetching (the first fetch may still be on its way).
      let first = await reader.read(5_000);
      for (let i = 0; i < 200 && first.values.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 50));
        first = await reader.read(5_000);
      }
      for (const v of first.values as string[]) seen.add(v);
      let read = first.values.length;
      expect(read).toBeGreaterThan(0);
      // Then the runner's thread busy for 3 s, as with a large batch: the consumer thread could post the whole topic meanwhile.
      const until = Date.now() + 3_000;
      while (Date.now() < until) {
        /* busy */
      }
      await new Promise((r) => setTimeout(r, 300));
      expect(input.buffered).toBeGreaterThan(0);
      expect(input.buffered).toBeLessThan(10_000);
      for (const deadline = Date.now() + 60_000; read < total && Date.now() < deadline;) {
        const batch = await reader.read(5_000);
        for (const v of batch.values as string[]) seen.add(v);
        read += batch.values.length;
        if (batch.values.length === 0) await new Promise((r) => setTimeout(r, 20));
      }
      expect(read).toBe(total);
      expect(seen.size).toBe(total);
    } finally {
      await input.close();
    }
  }, 120_000);
});

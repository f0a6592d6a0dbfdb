import { Kafka } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { KafkaInput, kafkaClientConfig, type KafkaPosition } from '../../connectors/kafka/kafka-input.ts';
import { produceLines } from '../../connectors/kafka/produce.ts';
import type { SourceReader } from '../../runtime/sources/source-reader.ts';
import { brokers, runId } from './servers.ts';

/**
 * Seeks with fetches in flight: a backlog of many fetches per partition
 * (64 KiB fetches of ~60-byte records, ~1,000 records a fetch), both
 * partitions, and a reader that seeks while the consumer thread is busy
 * fetching. The truth is the topic's own offsets: every offset from the
 * reader's start to the end of its partition comes exactly once.
 */
const fetchBytes = 64 * 1024;
const total = 120_000;

async function produceTopic(prefix: string): Promise<string> {
  const topic = `${prefix}-${runId()}`;
  await produceLines(
    brokers,
    topic,
    Array.from({ length: total }, (_, i) => JSON.stringify({ i, pad: 'x'.repeat(40) })),
  );
  return topic;
}

/** Sets a group's committed offsets (the group must have no live member), as a run that died before committing would leave them. */
async function setCommitted(groupId: string, topic: string, position: KafkaPosition): Promise<void> {
  const admin = new Kafka(kafkaClientConfig('it-seek-admin', brokers)).admin();
  await admin.connect();
  try {
    await admin.setOffsets({
      groupId,
      topic,
      partitions: Object.entries(position).map(([partition, offset]) => ({
        partition: Number(partition),
        offset: String(offset),
      })),
    });
  } finally {
    await admin.disconnect();
  }
}

/** Reads until every partition reached its end; offsets per partition in the order handed out. */
async function readToEnds(
  reader: SourceReader,
  ends: ReadonlyMap<number, number>,
  max = 7_000,
): Promise<Map<number, number[]>> {
  const seen = new Map<number, number[]>([...ends.keys()].map((p) => [p, []]));
  const reached = () => [...ends].every(([p, end]) => ((reader.position() as KafkaPosition)[p] ?? 0) >= end);
  for (const deadline = Date.now() + 90_000; !reached() && Date.now() < deadline;) {
    const batch = await reader.read(max);
    for (let i = 0; i < batch.values.length; i++) {
      const [, partition, offset] = /\/(\d+)\/(\d+)$/.exec(batch.position(i))!;
      seen.get(Number(partition))!.push(Number(offset));
    }
    if (batch.values.length === 0) await new Promise((r) => setTimeout(r, 20));
  }
  return seen;
}

/** Every offset in [from, end) of each partition exactly once: the first gap or duplicate is named. */
function expectExactlyOnce(seen: Map<number, number[]>, from: KafkaPosition, ends: ReadonlyMap<number, number>): void {
  for (const [partition, end] of ends) {
    const start = from[partition] ?? 0;
    const offsets = [...seen.get(partition)!].sort((a, b) => a - b);
    const firstWrong = offsets.findIndex((o, i) => o !== start + i);
    expect({
      partition,
      count: offsets.length,
      firstWrong: firstWrong < 0 ? undefined : { at: start + firstWrong, got: offsets[firstWrong] },
    }).toEqual({ partition, count: end - start, firstWrong: undefined });
  }
}

/** Half of each partition: a checkpoint position many fetches into the backlog. */
const halfway = (ends: ReadonlyMap<number, number>, fraction = 0.5): KafkaPosition =>
  Object.fromEntries([...ends].map(([p, end]) => [p, Math.floor(end * fraction)]));

/** Waits until the consumer thread has fetched at least `records` into the buffer: fetches in flight past where the reader will start. */
async function fetchedAhead(input: KafkaInput, records: number): Promise<void> {
  for (const deadline = Date.now() + 30_000; input.buffered < records && Date.now() < deadline;)
    await new Promise((r) => setTimeout(r, 5));
  expect(input.buffered).toBeGreaterThanOrEqual(records);
}

describe('Kafka input seeks with fetches in flight (real broker, backlogs of many fetches per partition)', () => {
  it('a restart whose committed offsets trail the checkpoint (the commit after a checkpoint never landed) reads every offset after the checkpoint once', async () => {
    const topic = await produceTopic('it-seek-trail');
    const groupId = `it-seek-trail-${runId()}`;
    const ends = await topicEnds(topic);
    expect(ends.size).toBe(2);
    // Kafka's committed offsets one checkpoint interval (~5 fetches) behind the checkpoint.
    const from = halfway(ends, 0.5);
    await setCommitted(groupId, topic, Object.fromEntries(Object.entries(from).map(([p, o]) => [p, o - 5_000])));
    const input = new KafkaInput({ brokers, topic, groupId, log: () => {}, fetchBytes, exclusive: true });
    await input.start();
    try {
      // The consumer has fetched past the checkpoint, and goes on fetching, when the reader opens.
      await fetchedAhead(input, 15_000);
      expectExactlyOnce(await readToEnds(input.reader(from), ends), from, ends);
    } finally {
      await input.close();
    }
  }, 180_000);

  it('an ordinary restart (committed offsets equal to the checkpoint) whose first fetches land before the reader opens reads every offset after it once', async () => {
    const topic = await produceTopic('it-seek-early');
    const groupId = `it-seek-early-${runId()}`;
    const ends = await topicEnds(topic);
    const from = halfway(ends, 0.3);
    await setCommitted(groupId, topic, from);
    const input = new KafkaInput({ brokers, topic, groupId, log: () => {}, fetchBytes, exclusive: true });
    await input.start();
    try {
      await fetchedAhead(input, 5_000);
      expectExactlyOnce(await readToEnds(input.reader(from), ends), from, ends);
    } finally {
      await input.close();
    }
  }, 180_000);

  it('in-process replays from the last checkpoint, over and over while the consumer fetches: what the checkpoints accepted holds every offset once', async () => {
    const topic = await produceTopic('it-seek-replay');
    const input = new KafkaInput({
      brokers,
      topic,
      groupId: `it-seek-replay-${runId()}`,
      log: () => {},
      fetchBytes,
      maxBuffered: 1_000_000,
      exclusive: true,
    });
    await input.start();
    try {
      const ends = await input.endOffsets();
      const accepted = new Map<number, number[]>([...ends.keys()].map((p) => [p, []]));
      let since: [number, number][] = [];
      let checkpoint: KafkaPosition = {};
      let reader = input.reader(undefined);
      const done = () => [...ends].every(([p, end]) => ((reader.position() as KafkaPosition)[p] ?? 0) >= end);
      let replays = 0;
      for (let round = 0; !done(); round++) {
        // Like the engine: batches of varied size, a checkpoint every other round, a failed batch replayed every third.
        // Processing takes a while: the consumer fetches ahead meanwhile, so the buffer holds chunks of both partitions.
        await new Promise((r) => setTimeout(r, 5));
        const batch = await reader.read(200 + ((round * 1_777) % 2_500));
        for (let i = 0; i < batch.values.length; i++) {
          const [, partition, offset] = /\/(\d+)\/(\d+)$/.exec(batch.position(i))!;
          since.push([Number(partition), Number(offset)]);
        }
        if (batch.values.length === 0) await new Promise((r) => setTimeout(r, 20));
        else if (round % 3 === 2) {
          since = [];
          reader = input.reader(checkpoint);
          replays++;
        } else if (round % 2 === 0) {
          for (const [p, o] of since) accepted.get(p)!.push(o);
          since = [];
          checkpoint = reader.position() as KafkaPosition;
          reader.checkpointed?.(checkpoint);
        }
      }
      for (const [p, o] of since) accepted.get(p)!.push(o);
      expect(replays).toBeGreaterThan(10);
      expectExactlyOnce(accepted, {}, ends);
    } finally {
      await input.close();
    }
  }, 180_000);

  it('a seek back past everything the input keeps, while the consumer fetches ahead, reads every offset after it once', async () => {
    const topic = await produceTopic('it-seek-back');
    const input = new KafkaInput({
      brokers,
      topic,
      groupId: `it-seek-back-${runId()}`,
      log: () => {},
      fetchBytes,
      exclusive: true,
    });
    await input.start();
    try {
      const ends = await input.endOffsets();
      const reader = input.reader(undefined);
      let read = 0;
      while (read < 10_000 || Object.keys(reader.position() as KafkaPosition).length < 2) {
        const batch = await reader.read(2_500);
        read += batch.values.length;
        if (batch.values.length === 0) await new Promise((r) => setTimeout(r, 20));
      }
      // Checkpointed, so nothing before it is kept: a position older than that must be fetched again.
      reader.checkpointed?.(reader.position());
      const from = Object.fromEntries([...ends.keys()].map((p) => [p, 100]));
      expectExactlyOnce(await readToEnds(input.reader(from), ends), from, ends);
    } finally {
      await input.close();
    }
  }, 180_000);
});

async function topicEnds(topic: string): Promise<Map<number, number>> {
  const admin = new Kafka(kafkaClientConfig('it-seek-admin', brokers)).admin();
  await admin.connect();
  try {
    return new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
  } finally {
    await admin.disconnect();
  }
}

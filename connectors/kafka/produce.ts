import { Kafka } from 'kafkajs';
import { kafkaClientConfig } from './kafka-input.ts';

/** Sends lines (JSON records) to a topic in batches, keyed for even partitioning. Returns how many were sent. */
export async function produceLines(
  brokers: readonly string[],
  topic: string,
  lines: AsyncIterable<string> | Iterable<string>,
  onProgress?: (sent: number) => void,
): Promise<number> {
  const producer = new Kafka(kafkaClientConfig('idemflow-produce', brokers)).producer({ allowAutoTopicCreation: true });
  await producer.connect();
  let sent = 0;
  let batch: { key: string; value: string }[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    await producer.send({ topic, messages: batch, acks: -1 });
    sent += batch.length;
    batch = [];
    onProgress?.(sent);
  };
  try {
    for await (const line of lines) {
      batch.push({ key: String(sent + batch.length), value: line });
      if (batch.length >= 5_000) await flush();
    }
    await flush();
  } finally {
    await producer.disconnect();
  }
  return sent;
}

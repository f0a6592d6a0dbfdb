import { Kafka } from 'kafkajs';
import { RunnerError } from '../../runtime/runner-error.ts';
import { permanentKafkaFailure } from './connect-error.ts';
import { kafkaClientConfig } from './kafka-input.ts';

/**
 * A produce request stays under the broker's default limit (message.max.bytes, 1 MiB): batching by
 * count alone sent 5,000 lines of 2 KB as one 10 MB request, which the broker refused.
 */
const maxBatchBytes = 512 * 1024;

/** Sends lines (JSON records) to a topic in batches, keyed for even partitioning. Returns how many were sent. */
export async function produceLines(
  brokers: readonly string[],
  topic: string,
  lines: AsyncIterable<string> | Iterable<string>,
  onProgress?: (sent: number) => void,
): Promise<number> {
  const client = kafkaClientConfig('idemflow-produce', brokers);
  const producer = new Kafka(client).producer({ allowAutoTopicCreation: true });
  await producer.connect().catch((error: Error) => {
    const why = permanentKafkaFailure(error, client);
    throw new RunnerError(
      why ?? `cannot reach Kafka brokers ${brokers.join(',')} (${error.message}); are they running?`,
      {
        cause: error,
      },
    );
  });
  let sent = 0;
  let batch: { key: string; value: string }[] = [];
  let batchBytes = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    await producer.send({ topic, messages: batch, acks: -1 });
    sent += batch.length;
    batch = [];
    batchBytes = 0;
    onProgress?.(sent);
  };
  try {
    for await (const line of lines) {
      const bytes = Buffer.byteLength(line);
      if (batchBytes + bytes > maxBatchBytes) await flush();
      batch.push({ key: String(sent + batch.length), value: line });
      batchBytes += bytes;
      if (batch.length >= 5_000) await flush();
    }
    await flush();
  } finally {
    await producer.disconnect();
  }
  return sent;
}

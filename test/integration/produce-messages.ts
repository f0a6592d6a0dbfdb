import { Kafka, type Message } from 'kafkajs';
import { kafkaClientConfig } from '../../connectors/kafka/kafka-input.ts';
import { brokers } from './servers.ts';

/**
 * Sends messages as given (partition, key, Kafka timestamp: what the streaming tests steer event time and
 * partitioning by; `produceLines` sets none of them), 1,000 a request, each acknowledged by all replicas.
 */
export async function produceMessages(clientId: string, topic: string, messages: readonly Message[]): Promise<void> {
  const producer = new Kafka(kafkaClientConfig(clientId, brokers)).producer({ allowAutoTopicCreation: true });
  await producer.connect();
  try {
    for (let at = 0; at < messages.length; at += 1_000)
      await producer.send({ topic, messages: messages.slice(at, at + 1_000), acks: -1 });
  } finally {
    await producer.disconnect();
  }
}

/** A reading as a message: keyed by its number, its event time as the Kafka timestamp. */
export const readingMessage = (i: number, event: { readonly ts: number }, partition?: number): Message => ({
  ...(partition === undefined ? {} : { partition }),
  key: String(i),
  value: JSON.stringify(event),
  timestamp: String(event.ts),
});

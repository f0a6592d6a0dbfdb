import type { Delivery } from '../ir/index.ts';

/** Sources that may hand the same record over again after a failure: Kafka offsets, WAL replay. */
export function isAtLeastOnce(delivery: Delivery): boolean {
  return delivery === 'offsets' || delivery === 'receiver-wal';
}

export const deliveryLabel: Readonly<Record<Delivery, string>> = {
  bounded: 'a bounded input',
  receiver: 'a plain receiver',
  'receiver-wal': 'a receiver with a write-ahead log (replayed after a crash)',
  offsets: 'Kafka with offsets (replayed from the last committed offsets after a crash)',
};

/**
 * Cheat-sheet row `counters-direct` — "Counters + Streaming + Direct API":
 * visits from Kafka (offsets tracked, replayed after a crash), counted per
 * country into a counter column. Replayed offsets add their deltas again.
 */
import { cassandra, source, tumbling } from 'idemflow';
import { kafkaBrokers, keyspace } from '../config.ts';
import { Visit } from '../schemas.ts';

export default source
  .kafka({ brokers: kafkaBrokers, topic: 'visits', groupId: 'counters-direct' })
  .parse(Visit)
  .withEventTime((v) => v.ts)
  .window(tumbling({ seconds: 1 }))
  .groupBy('country')
  .count()
  .sink(cassandra.counter({ keyspace, table: 'events_counts', key: { country: 'key' }, counter: 'visits' }))
  .named('counters-direct');

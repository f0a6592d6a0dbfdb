/**
 * Cheat-sheet row `counters-direct` — "Counters + Streaming + Direct API":
 * visits from Kafka (offsets tracked, replayed after a crash), counted per
 * country into a counter column. Replayed offsets add their deltas again.
 */
import { source } from 'idemflow';
import { kafkaBrokers } from '../config.ts';
import { Visit } from '../schemas.ts';
import { countPerCountrySecond, visitCounters } from './shared.ts';

export default countPerCountrySecond(
  source.kafka({ brokers: kafkaBrokers, topic: 'visits', groupId: 'counters-direct' }).parse(Visit),
)
  .sink(visitCounters())
  .named('counters-direct');

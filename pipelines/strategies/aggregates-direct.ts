/**
 * Cheat-sheet row `aggregates-direct` — "Aggregates + Direct API": readings
 * from Kafka with offsets checkpointed, whole counts upserted. Nothing is lost
 * once in Kafka; a message lost before Kafka cannot be repaired.
 */
import { cassandra, source, tumbling } from 'idemflow';
import { kafkaBrokers, keyspace } from '../config.ts';
import { SensorReading } from '../schemas.ts';

export default source
  .kafka({ brokers: kafkaBrokers, topic: 'sensor-readings', groupId: 'aggregates-direct' })
  .parse(SensorReading)
  .withEventTime((r) => r.ts)
  .window(tumbling({ minutes: 1 }))
  .groupBy('sensorId')
  .count()
  .sink(cassandra.upsert({ keyspace, table: 'sensor_counts', key: { sensorid: 'key', ts: 'windowStart' }, values: { measurements: 'value' } }))
  .named('aggregates-direct');

/**
 * Cheat-sheet row `aggregates-sor-direct` — "Aggregates + idempotent data
 * model + system of record + Direct API": Kafka with offsets, raw events
 * archived by event id, whole counts upserted. Fast and highly accurate.
 */
import { cassandra, source, tumbling } from 'idemflow';
import { kafkaBrokers, keyspace } from '../config.ts';
import { SensorReading } from '../schemas.ts';

export default source
  .kafka({ brokers: kafkaBrokers, topic: 'sensor-readings', groupId: 'aggregates-sor-direct' })
  .parse(SensorReading)
  .archive(cassandra.systemOfRecord({ keyspace, table: 'sensor_events', id: 'eventId' }))
  .withEventTime((r) => r.ts)
  .window(tumbling({ minutes: 1 }))
  .groupBy('sensorId')
  .count()
  .sink(cassandra.upsert({ keyspace, table: 'sensor_counts', key: { sensorid: 'key', ts: 'windowStart' }, values: { measurements: 'value' } }))
  .named('aggregates-sor-direct');

/**
 * Cheat-sheet row `aggregates-sor-direct` — "Aggregates + idempotent data
 * model + system of record + Direct API": Kafka with offsets, raw events
 * archived by event id, whole counts upserted. Fast and highly accurate.
 */
import { source } from 'idemflow';
import { kafkaBrokers } from '../config.ts';
import { SensorReading } from '../schemas.ts';
import { countPerSensorMinute, sensorCounts, sensorEvents } from './shared.ts';

export default countPerSensorMinute(
  source
    .kafka({ brokers: kafkaBrokers, topic: 'sensor-readings', groupId: 'aggregates-sor-direct' })
    .parse(SensorReading)
    .archive(sensorEvents()),
)
  .sink(sensorCounts())
  .named('aggregates-sor-direct');

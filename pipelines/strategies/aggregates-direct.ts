/**
 * Cheat-sheet row `aggregates-direct` — "Aggregates + Direct API": readings
 * from Kafka with offsets checkpointed, whole counts upserted. Nothing is lost
 * once in Kafka; a message lost before Kafka cannot be repaired.
 */
import { source } from 'idemflow';
import { kafkaBrokers } from '../config.ts';
import { SensorReading } from '../schemas.ts';
import { countPerSensorMinute, sensorCounts } from './shared.ts';

export default countPerSensorMinute(
  source.kafka({ brokers: kafkaBrokers, topic: 'sensor-readings', groupId: 'aggregates-direct' }).parse(SensorReading),
)
  .sink(sensorCounts())
  .named('aggregates-direct');

/**
 * Cheat-sheet row `aggregates-sor` — "Aggregates + idempotent data model +
 * system of record": readings from a socket receiver are archived by event id
 * (the seed's `saveToCassandra("keyspace", "sensor_events")`), then counted
 * and upserted. `idemflow repair` recomputes the counts from the archive.
 */
import { source } from 'idemflow';
import { socketHost, socketPort } from '../config.ts';
import { SensorReading } from '../schemas.ts';
import { countPerSensorMinute, sensorCounts, sensorEvents } from './shared.ts';

export default countPerSensorMinute(
  source.socket({ host: socketHost, port: socketPort }).parse(SensorReading).archive(sensorEvents()),
)
  .sink(sensorCounts())
  .named('aggregates-sor');

/**
 * Cheat-sheet row `aggregates-sor-wal` — "Aggregates + idempotent data model
 * + system of record + WAL": as `aggregates-sor`, with the receiver's records
 * logged durably first. Slow, pretty accurate, the most storage.
 */
import { source } from 'idemflow';
import { socketHost, socketPort, walDir } from '../config.ts';
import { SensorReading } from '../schemas.ts';
import { countPerSensorMinute, sensorCounts, sensorEvents } from './shared.ts';

export default countPerSensorMinute(
  source
    .socket({ host: socketHost, port: socketPort })
    .withWal({ dir: walDir })
    .parse(SensorReading)
    .archive(sensorEvents()),
)
  .sink(sensorCounts())
  .named('aggregates-sor-wal');

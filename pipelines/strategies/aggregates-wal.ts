/**
 * Cheat-sheet row `aggregates-wal` — "Streaming aggregates + WAL": as
 * `aggregates`, with received readings logged durably first, so a crash loses
 * nothing once received; losses at the queue still cannot be repaired.
 */
import { source } from 'idemflow';
import { socketHost, socketPort, walDir } from '../config.ts';
import { SensorReading } from '../schemas.ts';
import { countPerSensorMinute, sensorCounts } from './shared.ts';

export default countPerSensorMinute(
  source.socket({ host: socketHost, port: socketPort }).withWal({ dir: walDir }).parse(SensorReading),
)
  .sink(sensorCounts())
  .named('aggregates-wal');

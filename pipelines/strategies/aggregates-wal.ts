/**
 * Cheat-sheet row `aggregates-wal` — "Streaming aggregates + WAL": as
 * `aggregates`, with received readings logged durably first, so a crash loses
 * nothing once received; losses at the queue still cannot be repaired.
 */
import { cassandra, source, tumbling } from 'idemflow';
import { keyspace, socketHost, socketPort, walDir } from '../config.ts';
import { SensorReading } from '../schemas.ts';

export default source
  .socket({ host: socketHost, port: socketPort })
  .withWal({ dir: walDir })
  .parse(SensorReading)
  .withEventTime((r) => r.ts)
  .window(tumbling({ minutes: 1 }))
  .groupBy('sensorId')
  .count()
  .sink(cassandra.upsert({ keyspace, table: 'sensor_counts', key: { sensorid: 'key', ts: 'windowStart' }, values: { measurements: 'value' } }))
  .named('aggregates-wal');

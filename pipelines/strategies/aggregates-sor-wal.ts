/**
 * Cheat-sheet row `aggregates-sor-wal` — "Aggregates + idempotent data model
 * + system of record + WAL": as `aggregates-sor`, with the receiver's records
 * logged durably first. Slow, pretty accurate, the most storage.
 */
import { cassandra, source, tumbling } from 'idemflow';
import { keyspace, socketHost, socketPort, walDir } from '../config.ts';
import { SensorReading } from '../schemas.ts';

export default source
  .socket({ host: socketHost, port: socketPort })
  .withWal({ dir: walDir })
  .parse(SensorReading)
  .archive(cassandra.systemOfRecord({ keyspace, table: 'sensor_events', id: 'eventId' }))
  .withEventTime((r) => r.ts)
  .window(tumbling({ minutes: 1 }))
  .groupBy('sensorId')
  .count()
  .sink(cassandra.upsert({ keyspace, table: 'sensor_counts', key: { sensorid: 'key', ts: 'windowStart' }, values: { measurements: 'value' } }))
  .named('aggregates-sor-wal');

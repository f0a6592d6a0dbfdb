/**
 * Cheat-sheet row `aggregates-sor` — "Aggregates + idempotent data model +
 * system of record": readings from a socket receiver are archived by event id
 * (the seed's `saveToCassandra("keyspace", "sensor_events")`), then counted
 * and upserted. `idemflow repair` recomputes the counts from the archive.
 */
import { cassandra, source, tumbling } from 'idemflow';
import { keyspace, socketHost, socketPort } from '../config.ts';
import { SensorReading } from '../schemas.ts';

export default source
  .socket({ host: socketHost, port: socketPort })
  .parse(SensorReading)
  .archive(cassandra.systemOfRecord({ keyspace, table: 'sensor_events', id: 'eventId' }))
  .withEventTime((r) => r.ts)
  .window(tumbling({ minutes: 1 }))
  .groupBy('sensorId')
  .count()
  .sink(cassandra.upsert({ keyspace, table: 'sensor_counts', key: { sensorid: 'key', ts: 'windowStart' }, values: { measurements: 'value' } }))
  .named('aggregates-sor');

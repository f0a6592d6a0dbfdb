/**
 * Cheat-sheet row `aggregates` — "Streaming aggregates": sensor readings from
 * a socket receiver, counted per sensor and minute, each whole count upserted.
 * Retry-safe, but what a crash or the queue loses is gone.
 *
 * The seed's snippet binds `new Date()` as the `ts` key; idemflow flags that
 * (IDEM003), so this example keys by the event-time window instead.
 */
import { cassandra, source, tumbling } from 'idemflow';
import { keyspace, socketHost, socketPort } from '../config.ts';
import { SensorReading } from '../schemas.ts';

export default source
  .socket({ host: socketHost, port: socketPort })
  .parse(SensorReading)
  .withEventTime((r) => r.ts)
  .window(tumbling({ minutes: 1 }))
  .groupBy('sensorId')
  .count()
  .sink(cassandra.upsert({ keyspace, table: 'sensor_counts', key: { sensorid: 'key', ts: 'windowStart' }, values: { measurements: 'value' } }))
  .named('aggregates');

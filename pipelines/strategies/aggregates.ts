/**
 * Cheat-sheet row `aggregates` — "Streaming aggregates": sensor readings from
 * a socket receiver, counted per sensor and minute, each whole count upserted.
 * Retry-safe, but what a crash or the queue loses is gone.
 *
 * The seed's snippet binds `new Date()` as the `ts` key; idemflow flags that
 * (IDEM003), so this example keys by the event-time window instead.
 */
import { source } from 'idemflow';
import { socketHost, socketPort } from '../config.ts';
import { SensorReading } from '../schemas.ts';
import { countPerSensorMinute, sensorCounts } from './shared.ts';

export default countPerSensorMinute(source.socket({ host: socketHost, port: socketPort }).parse(SensorReading))
  .sink(sensorCounts())
  .named('aggregates');

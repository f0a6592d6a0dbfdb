/**
 * The anti-pattern, runnable: per-sensor counts per minute added to a counter
 * column, with the default retries. `idemflow check` flags it (IDEM001); the
 * demo shows it overcount when acknowledgements are lost.
 */
import { embedded, tumbling } from 'idemflow';
import { sensorReadings } from './sensor-events.ts';

export default sensorReadings()
  .withEventTime((r) => r.ts)
  .window(tumbling({ minutes: 1 }))
  .groupBy('sensorId')
  .count()
  .sink(
    embedded.counter({
      table: 'sensor_counters',
      key: { sensorid: 'key', ts: 'windowStart' },
      counter: 'measurements',
    }),
  )
  .named('sensor-counters');

/**
 * The recommended design on the embedded store: raw readings archived by
 * event id (system of record), whole per-minute counts upserted. Retries,
 * crashes and replays converge; `idemflow repair` fixes what was lost.
 */
import { embedded, tumbling } from 'idemflow';
import { sensorReadings } from './sensor-events.ts';

export default sensorReadings()
  .archive(embedded.systemOfRecord({ table: 'sensor_events', id: 'eventId' }))
  .withEventTime((r) => r.ts)
  .window(tumbling({ minutes: 1 }))
  .groupBy('sensorId')
  .count()
  .sink(
    embedded.upsert({
      table: 'sensor_counts',
      key: { sensorid: 'key', ts: 'windowStart' },
      values: { measurements: 'value' },
    }),
  )
  .named('sensor-aggregates');

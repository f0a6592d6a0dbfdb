import { embedded, source, tumbling, type GeneratorOptions } from 'idemflow';

/**
 * The recommended design on the embedded store, as the runner tests use it:
 * generated readings archived by event id into `events`, counted per sensor
 * and minute of event time, upserted into `counts`.
 */
export function archivedSensorCounts(settings: GeneratorOptions) {
  return source
    .generator(settings)
    .archive(embedded.systemOfRecord({ table: 'events', id: 'eventId' }))
    .withEventTime((e) => e.ts)
    .window(tumbling(60_000))
    .groupBy('sensorId')
    .count()
    .sink(embedded.upsert({ table: 'counts', key: { s: 'key', ts: 'windowStart' }, values: { n: 'value' } }));
}

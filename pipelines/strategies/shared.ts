/**
 * What the strategy examples share: the same aggregation (count per key and
 * minute of event time) and the same tables, so that the files differ only
 * in what makes each cheat-sheet row: the source, the WAL, the system of
 * record, and upsert versus counter.
 */
import { cassandra, tumbling, type Stream } from 'idemflow';
import { keyspace } from '../config.ts';
import type { SensorReading, Visit } from '../schemas.ts';

/** The seed's sensor example: readings counted per sensor and minute. */
export const countPerSensorMinute = (readings: Stream<SensorReading>) =>
  readings
    .withEventTime((r) => r.ts)
    .window(tumbling({ minutes: 1 }))
    .groupBy('sensorId')
    .count();

/** The seed's country-visits example: visits counted per country and second. */
export const countPerCountrySecond = (visits: Stream<Visit>) =>
  visits
    .withEventTime((v) => v.ts)
    .window(tumbling({ seconds: 1 }))
    .groupBy('country')
    .count();

/** `UPDATE sensor_counts SET measurements = ? WHERE sensorId = ? AND ts = ?`: the whole count, idempotent. */
export const sensorCounts = () =>
  cassandra.upsert({
    keyspace,
    table: 'sensor_counts',
    key: { sensorid: 'key', ts: 'windowStart' },
    values: { measurements: 'value' },
  });

/** `UPDATE events_counts SET visits = visits + ? WHERE country = ?`: a delta, the anti-pattern. */
export const visitCounters = () =>
  cassandra.counter({ keyspace, table: 'events_counts', key: { country: 'key' }, counter: 'visits' });

/** `saveToCassandra("keyspace", "sensor_events")`, keyed by the producer's event id. */
export const sensorEvents = () => cassandra.systemOfRecord({ keyspace, table: 'sensor_events', id: 'eventId' });

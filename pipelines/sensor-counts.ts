/**
 * The recommended design (the seed's "general best practice"): aggregate in
 * the stream, write whole aggregates to an idempotent data model, keep every
 * raw event in a system of record keyed by its event id, read Kafka with
 * offsets tracked (Direct API). Retries, redeliveries, crashes and replays
 * all converge to the same rows; `idemflow repair` fixes anything lost.
 */
import { cassandra, source, tumbling } from 'idemflow';
import { kafkaBrokers, keyspace } from './config.ts';
import { SensorReading } from './schemas.ts';

export default source
  .kafka({ brokers: kafkaBrokers, topic: 'sensor-readings', groupId: 'sensor-counts' })
  .parse(SensorReading, { deadLetter: cassandra.deadLetters({ keyspace, table: 'sensor_dead_letters' }) })
  .archive(cassandra.systemOfRecord({ keyspace, table: 'sensor_events', id: 'eventId' }))
  .withEventTime((r) => r.ts)
  .window(tumbling({ minutes: 1 }, { allowedLateness: { minutes: 5 } }))
  .groupBy('sensorId')
  .count()
  .sink(
    cassandra.upsert({
      keyspace,
      table: 'sensor_counts',
      key: { sensorid: 'key', ts: 'windowStart' },
      values: { measurements: 'value' },
      retry: { retries: 5, backoffMs: 200 },
    }),
  )
  .named('sensor-counts');

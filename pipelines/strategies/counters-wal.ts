/**
 * Cheat-sheet row `counters-wal` — "Counters + Streaming + WAL": visits from a
 * socket receiver, logged to a write-ahead log, counted per country into a
 * counter column. The WAL replays after a crash, and replayed deltas overcount.
 */
import { cassandra, source, tumbling } from 'idemflow';
import { keyspace, socketHost, socketPort, walDir } from '../config.ts';
import { Visit } from '../schemas.ts';

export default source
  .socket({ host: socketHost, port: socketPort })
  .withWal({ dir: walDir })
  .parse(Visit)
  .withEventTime((v) => v.ts)
  .window(tumbling({ seconds: 1 }))
  .groupBy('country')
  .count()
  .sink(cassandra.counter({ keyspace, table: 'events_counts', key: { country: 'key' }, counter: 'visits' }))
  .named('counters-wal');

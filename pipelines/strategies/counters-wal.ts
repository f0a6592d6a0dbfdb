/**
 * Cheat-sheet row `counters-wal` — "Counters + Streaming + WAL": visits from a
 * socket receiver, logged to a write-ahead log, counted per country into a
 * counter column. The WAL replays after a crash, and replayed deltas overcount.
 */
import { source } from 'idemflow';
import { socketHost, socketPort, walDir } from '../config.ts';
import { Visit } from '../schemas.ts';
import { countPerCountrySecond, visitCounters } from './shared.ts';

export default countPerCountrySecond(
  source.socket({ host: socketHost, port: socketPort }).withWal({ dir: walDir }).parse(Visit),
)
  .sink(visitCounters())
  .named('counters-wal');

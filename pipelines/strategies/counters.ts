/**
 * Cheat-sheet row `counters` — "Counters with no streaming": a batch of
 * visits added to a counter column per country (the seed's
 * `UPDATE event_counts SET uk_visits = uk_visits + 1`). Fast, inaccurate and
 * simple; its first attempt keeps the default retry, which overcounts.
 */
import { fileURLToPath } from 'node:url';
import { cassandra, source } from 'idemflow';
import { keyspace } from '../config.ts';
import { Visit } from '../schemas.ts';

export default source
  .file(fileURLToPath(new URL('../data/visits.jsonl', import.meta.url)), { format: 'jsonl' })
  .parse(Visit)
  .groupBy('country')
  .count()
  .sink(cassandra.counter({ keyspace, table: 'event_counts', key: { country: 'key' }, counter: 'visits' }))
  .named('counters');

import { randomUUID } from 'node:crypto';
import { sink, source } from 'idemflow';
import rule from '../../../compiler/rules/non-idempotent-sink-under-retry.ts';
import { bumpAll, putTotals, type CounterStore, type Cql, type Row } from '../../helpers/counter-writes.ts';
import { kafka, placeOf, Reading, readings } from '../../helpers/fixtures.ts';
import { ruleTester } from '../../helpers/rule-tester.ts';

/** Never called: the rules read the write functions, they do not run them. */
declare const db: Cql;
const here = import.meta.url;
const grouped = () => source.memory(readings).groupBy('sensorId').count();
const fromKafka = () => source.kafka(kafka).parse(Reading).groupBy('sensorId').count();
const write = () => {};
const table = 'metrics.per_key';
declare const store: CounterStore;

/** A counter update in a write declared away from the sink, passed by name. */
async function bumpEach(rows: readonly Row[]): Promise<void> {
  for (const r of rows) await db.executeAsync(`UPDATE ${table} SET n = n + ? WHERE k = ?`, [r.value, r.key]); // @by-name
}
async function bumpOne(r: Row): Promise<void> {
  await db.execute('UPDATE metrics.per_key SET n = n + ? WHERE k = ?', [r.value, r.key]); // @callback
}

ruleTester(rule, {
  valid: [
    { name: 'idempotent custom sink with retries', pipeline: () => grouped().sink(sink({ write, idempotent: true })) },
    {
      name: 'non-idempotent custom sink without retries',
      pipeline: () => grouped().sink(sink({ write, idempotent: false, retry: 'none' })),
    },
    {
      name: 'idempotent custom sink behind Kafka',
      pipeline: () =>
        source
          .kafka({ brokers: ['b:9092'], topic: 't', groupId: 'g' })
          .groupBy((r) => String(r))
          .count()
          .sink(sink({ write, idempotent: true, retry: 'none' })),
    },
    {
      name: 'idempotent: true over whole values: SET n = ?, an INSERT, a helper of another module that writes totals',
      pipeline: () =>
        fromKafka().sink(
          sink({
            idempotent: true,
            write: async (rows) => {
              for (const r of rows) await db.execute('UPDATE metrics.t SET n = ? WHERE k = ?', [r.value, r.key]);
              for (const r of rows) await db.execute('INSERT INTO metrics.t (k, n) VALUES (?, ?)', [r.key, r.value]);
              await putTotals(db, rows);
            },
          }),
        ),
    },
    {
      name: 'a dead-letter INSERT keyed by the record, a random trace id and the clock in later columns',
      pipeline: () =>
        source
          .kafka(kafka)
          .parse(Reading, {
            deadLetter: sink({
              name: 'rejects',
              idempotent: true,
              write: async (rows) => {
                for (const r of rows)
                  await db.execute('INSERT INTO metrics.rejects (body, trace, at) VALUES (?, ?, ?)', [
                    r.raw,
                    randomUUID(),
                    Date.now(),
                  ]);
              },
            }),
          })
          .groupBy('sensorId')
          .count()
          .sink(sink({ write, idempotent: true })),
    },
    {
      name: 'a counter update in a comment and in a log line, a counter read',
      pipeline: () =>
        fromKafka().sink(
          sink({
            idempotent: true,
            write: async (rows) => {
              // Not `UPDATE metrics.per_key SET n = n + ? WHERE k = ?`: that would count a retry twice.
              console.log('replacing what UPDATE metrics.per_key SET n = n + ? WHERE k = ? would add');
              await db.execute('SELECT n FROM metrics.per_key WHERE k = ?', [rows[0]?.key]);
              for (const r of rows) await db.execute('UPDATE metrics.t SET n = ? WHERE k = ?', [r.value, r.key]);
            },
          }),
        ),
    },
    {
      name: 'a lightweight transaction: compare-and-set of the whole value',
      pipeline: () =>
        fromKafka().sink(
          sink({
            idempotent: true,
            write: async (rows) => {
              for (const r of rows)
                await db.execute('UPDATE metrics.t SET n = ? WHERE k = ? IF n < ?', [r.value, r.key, r.value]);
            },
          }),
        ),
    },
    {
      name: 'a counter behind a de-duplication row (INSERT … IF NOT EXISTS, wasApplied() checked first)',
      pipeline: () =>
        fromKafka().sink(
          sink({
            idempotent: true,
            write: async (rows) => {
              for (const r of rows) {
                const seen = await db.execute('INSERT INTO metrics.applied (k, w) VALUES (?, ?) IF NOT EXISTS', [
                  r.key,
                ]);
                if (!seen.wasApplied()) continue;
                await db.execute('UPDATE metrics.per_key SET n = n + ? WHERE k = ?', [r.value, r.key]);
              }
            },
          }),
        ),
    },
    {
      name: 'a counter sink that is never repeated: no retries, a bounded input (an undercount at worst)',
      pipeline: () => grouped().sink(sink({ idempotent: true, retry: 'none', write: bumpEach })),
    },
  ],
  invalid: [
    {
      name: 'non-idempotent with the default retry',
      pipeline: () => grouped().sink(sink({ name: 'webhook', write, idempotent: false })),
      errors: [{ messageId: 'retried' }],
    },
    {
      name: 'non-idempotent, retry: none, behind Kafka (replayed from offsets): counted like IDEM001 counts counters',
      pipeline: () =>
        source
          .kafka({ brokers: ['b:9092'], topic: 't', groupId: 'g' })
          .groupBy((r) => String(r))
          .count()
          .sink(sink({ write, idempotent: false, retry: 'none' })),
      errors: [{ messageId: 'replayed' }],
    },
    {
      name: 'non-idempotent, retry: none, behind a socket with a WAL (replayed after a crash)',
      pipeline: () =>
        source
          .socket({ host: '127.0.0.1', port: 9 })
          .withWal({ dir: '/tmp/w' })
          .groupBy((l) => String(l))
          .count()
          .sink(sink({ write, idempotent: false, retry: 'none' })),
      errors: [{ messageId: 'replayed' }],
    },
    {
      name: 'non-idempotent with explicit retries',
      pipeline: () => grouped().sink(sink({ write, idempotent: false, retry: { retries: 5 } })),
      errors: [{ messageId: 'retried' }],
    },
    {
      name: 'declared idempotent, its write adds to a counter, retried',
      pipeline: () =>
        grouped().sink(
          sink({
            idempotent: true,
            write: async (rows) => {
              for (const r of rows)
                await db.execute('UPDATE metrics.per_key SET n = n + ? WHERE k = ?', [r.value, r.key]); // @inline
            },
          }),
        ),
      errors: [{ messageId: 'counterDeclaredIdempotent', ...placeOf(here, '@inline', 'execute(') }],
    },
    {
      // Round 9 (U9P 53): a random id bound (not CQL's uuid()) to the INSERT's first column; clean before (stash).
      name: 'a dead-letter sink declared idempotent whose INSERT binds randomUUID() to its first column',
      pipeline: () =>
        source
          .kafka(kafka)
          .parse(Reading, {
            deadLetter: sink({
              name: 'rejects',
              idempotent: true,
              write: async (rows) => {
                for (const r of rows)
                  await db.execute('INSERT INTO metrics.rejects (id, body) VALUES (?, ?)', [randomUUID(), r.raw]); // @dead-letter
              },
            }),
          })
          .groupBy('sensorId')
          .count()
          .sink(sink({ write, idempotent: true })),
      errors: [{ messageId: 'writeDeclaredIdempotent', ...placeOf(here, '@dead-letter', 'execute(') }],
    },
    {
      name: 'declared idempotent, a helper of another module sends a counter batch built with .map',
      pipeline: () => grouped().sink(sink({ idempotent: true, write: (rows) => bumpAll(db, rows) })), // @helper
      errors: [{ messageId: 'counterDeclaredIdempotent', ...placeOf(here, '@helper', 'bumpAll(') }],
    },
    {
      name: 'declared idempotent, a method of an instance of a class of another module',
      pipeline: () => grouped().sink(sink({ idempotent: true, write: (rows) => store.add(rows) })), // @method
      errors: [{ messageId: 'counterDeclaredIdempotent', ...placeOf(here, '@method', 'add(') }],
    },
    {
      name: 'declared idempotent, no retries, but behind Kafka: the write declared elsewhere, a template CQL, promisified',
      pipeline: () => fromKafka().sink(sink({ idempotent: true, retry: 'none', write: bumpEach })),
      errors: [{ messageId: 'counterDeclaredIdempotent', ...placeOf(here, '@by-name', 'executeAsync(') }],
    },
    {
      name: 'declared idempotent, an array of statements built with .map inline',
      pipeline: () =>
        grouped().sink(
          sink({
            idempotent: true,
            write: async (rows) => {
              const statements = rows.map((r) => ({
                query: `UPDATE ${table} SET n = n + ? WHERE k = ?`,
                params: [r.value, r.key],
              }));
              await db.batch(statements, { prepare: true, counter: true }); // @mapped
            },
          }),
        ),
      errors: [{ messageId: 'counterDeclaredIdempotent', ...placeOf(here, '@mapped', 'batch(') }],
    },
    {
      name: 'declared idempotent, a callback passed by name to rows.map',
      pipeline: () =>
        grouped().sink(
          sink({
            idempotent: true,
            write: async (rows) => {
              await Promise.all(rows.map(bumpOne)); // @by-name-callback
            },
          }),
        ),
      errors: [{ messageId: 'counterDeclaredIdempotent', ...placeOf(here, '@by-name-callback', 'bumpOne') }],
    },
  ],
});

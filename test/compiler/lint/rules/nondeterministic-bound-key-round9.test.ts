import rule from '../../../../compiler/lint/rules/nondeterministic-bound-key.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';

const setUp = `
import { Client } from 'cassandra-driver';
import { Kafka } from 'kafkajs';

const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'dc1' });
const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'g' });
const schema = 'CREATE TABLE app.events (event_id text PRIMARY KEY, kind text, body text, recorded_at timestamp)';
const INSERT = 'INSERT INTO app.events (event_id, kind, body, recorded_at) VALUES (?, ?, ?, ?)';`;

const mapperSetUp = `
import { Client, mapping, types } from 'cassandra-driver';
import { Kafka } from 'kafkajs';

const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'dc1' });
const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'g' });
const schema = 'CREATE TABLE app.audit_events (event_id uuid PRIMARY KEY, kind text, body text)';
const mapper = new mapping.Mapper(client, { models: { Audit: { tables: ['audit_events'] } } });
const events = mapper.forModel('Audit');`;

/**
 * Round 9 (U9D c12): an instance field whose initializer calls randomUUID(), read as `row.id` of a
 * `new EventRow(…)` made per message, its class in another module. Only fields a constructor sets
 * (`this.id = …`) were followed on a receiver other than `this`; an initializer runs at each `new`
 * just the same. Why the CLI missed c12 while a tester case found it: the name `id` was followed only
 * if some constructor anywhere in the project assigned `this.id` — the tester's other cases did, the
 * case folder did not. A field of one class decided for another.
 * U9D c15: a Mapper `insert` writes no CQL, so its document was never read; it is now read as the
 * INSERT the Mapper sends (the model's table, each property to the key column it names).
 * The invalid cases failed before (stash); the valid ones stay clean.
 */
sourceRuleTester(rule, {
  valid: [
    {
      name: 'rows.ts: entity classes (no finding where they are declared)',
      code: code`
      import { randomUUID } from 'node:crypto';
      export class EventRow {
        readonly id = randomUUID();
        readonly recordedAt = new Date();
        readonly source = 'kafka';
        constructor(readonly kind: string, readonly body: string) {}
      }
      export class KeyedRow {
        readonly recordedAt = new Date();
        constructor(readonly id: string, readonly kind: string, readonly body: string) {}
      }
    `,
    },
    {
      name: 'the clock of a field initializer in a value column, the key set from the offset',
      code: code`${setUp}
      import { KeyedRow } from './case-0.ts';
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            const row = new KeyedRow(message.offset, 'view', String(message.value));
            await client.execute(INSERT, [row.id, row.kind, row.body, row.recordedAt], { prepare: true });
          },
        });
    `,
    },
    {
      name: 'a Mapper insert keyed by the message id, the random uuid in a value property',
      code: code`${mapperSetUp}
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            await events.insert({ eventId: String(message.key), kind: types.Uuid.random().toString(), body: '' });
          },
        });
    `,
    },
  ],
  invalid: [
    {
      name: 'a randomUUID() field initializer of a class of another module, read as the key (U9D c12)',
      code: code`${setUp}
      import { EventRow } from './case-0.ts';
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            const row = new EventRow('view', String(message.value));
            await client.execute(INSERT, [row.id, row.kind, row.body, row.recordedAt], { prepare: true });
          },
        });
    `,
      errors: [{ messageId: 'boundParameter', line: 14, column: 43 }],
    },
    {
      name: 'the same class in the same file',
      code: code`${setUp}
      class Stamped {
        readonly id = crypto.randomUUID();
        constructor(readonly body: string) {}
      }
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            const row = new Stamped(String(message.value));
            await client.execute(INSERT, [row.id, 'k', row.body, null], { prepare: true });
          },
        });
    `,
      errors: [{ messageId: 'boundParameter', line: 17, column: 43 }],
    },
    {
      name: 'a Mapper insert whose key property is a random uuid (U9D c15: no CQL in the code)',
      code: code`${mapperSetUp}
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            await events.insert({ eventId: types.Uuid.random(), kind: 'audit', body: String(message.value) });
          },
        });
    `,
      errors: [{ messageId: 'boundParameter', line: 13, column: 44 }],
    },
    {
      // Round 10 (U10D e09): the model's table named with its keyspace; failed before (stash), the table not matched.
      name: 'a Mapper insert of a fresh uuid key, the model table given as keyspace.table',
      code: code`
      import { Client, mapping, types } from 'cassandra-driver';
      import { Kafka } from 'kafkajs';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'dc1' });
      const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'g' });
      const schema = 'CREATE TABLE app.visits (visit_id uuid PRIMARY KEY, page text)';
      const visits = new mapping.Mapper(client, { models: { Visit: { tables: ['app.visits'] } } }).forModel('Visit');
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            await visits.insert({ visitId: types.Uuid.random(), page: String(message.key) });
          },
        });
    `,
      errors: [{ messageId: 'boundParameter', line: 11, column: 38 }],
    },
  ],
});

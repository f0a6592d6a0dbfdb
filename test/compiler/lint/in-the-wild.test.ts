import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintProject, loadLintProject } from '../../../compiler/lint/lint.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

/**
 * Shapes met in public repositories (docs/lint-in-the-wild.md), linted as
 * there: in a folder of their own, where neither cassandra-driver nor
 * kafkajs is installed, so their imports do not resolve.
 */
function lintAlone(name: string, lines: readonly string[]): string[] {
  const dir = tempDir();
  const file = join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return lintProject(loadLintProject([file]), [file]).findings.map(
    (f) => `${f.code} ${f.location.line}:${f.location.column}`,
  );
}

/** The same for a few files side by side: `{ 'consumer.js': [...lines] }`; findings as `CODE file line:column`. */
function lintFilesAlone(files: Readonly<Record<string, readonly string[]>>): string[] {
  const dir = tempDir();
  const paths = Object.entries(files).map(([name, lines]) => {
    writeFileSync(join(dir, name), `${lines.join('\n')}\n`);
    return join(dir, name);
  });
  return lintProject(loadLintProject(paths), paths).findings.map(
    (f) => `${f.code} ${f.location.file.slice(dir.length + 1)} ${f.location.line}:${f.location.column}`,
  );
}

const kafkaHandler = (key: string) => [
  "const { Kafka } = require('kafkajs');",
  "const cassandra = require('cassandra-driver');",
  "const { types } = require('cassandra-driver');",
  "const client = new cassandra.Client({ contactPoints: ['db'], localDataCenter: 'dc1' });",
  "const consumer = new Kafka({ brokers: ['k:9092'] }).consumer({ groupId: 'g' });",
  'async function main() {',
  '  await consumer.run({',
  '    eachMessage: async ({ message }) => {',
  '      const v = JSON.parse(message.value.toString());',
  `      await client.execute('UPDATE ks.characters SET name = ? WHERE id = ?', [v.name, ${key}], { prepare: true });`,
  '    },',
  '  });',
  '}',
  'module.exports = { main };',
];

describe('driver code as public repositories write it', () => {
  it("the driver's own types, required in CommonJS and not installed, are the driver's: no note on a key made from the event", () => {
    expect(lintAlone('handler.js', kafkaHandler('types.Uuid.fromString(v.id)'))).toEqual([]);
    expect(lintAlone('handler.js', kafkaHandler('cassandra.types.Uuid.fromString(v.id)'))).toEqual([]);
  });

  it('a fresh TimeUuid from the same uninstalled driver in a Kafka handler is still IDEM011', () => {
    expect(lintAlone('handler.js', kafkaHandler('types.TimeUuid.now()'))).toEqual(['IDEM011 10:87']);
  });

  it('a key helper the analysis cannot read is a note only where IDEM011 could fire, not in a plain data-access function', () => {
    const helper = [
      "import { Client } from 'cassandra-driver';",
      "const client = new Client({ contactPoints: ['db'], localDataCenter: 'dc1' });",
      'declare function tenantOrderId(orderId: string): string;',
      'export function updateOrder(id: string, total: number) {',
      "  return client.execute('UPDATE shop.orders SET total = ? WHERE order_id = ?', [total, tenantOrderId(id)]);",
      '}',
    ];
    expect(lintAlone('orders.ts', helper)).toEqual([]);
  });

  // adnan172203/LMS-Microservices course/kafka/consumer.js: `Subscriber[key](value)` in a try, not awaited, where
  // Subscriber is a class (required in CommonJS) whose static async methods write; the key is the Kafka message's.
  const subscriber = (writes: boolean) => [
    "const cassandra = require('cassandra-driver');",
    "const client = new cassandra.Client({ contactPoints: ['db'], localDataCenter: 'dc1' });",
    'class Subscriber {',
    writes
      ? '  static async userCreated(v) { await client.execute("INSERT INTO lms.users (id, name) VALUES (?, ?)", [v.id, v.name]); }'
      : '  static userCreated(v) { console.log("user created", v.id); }',
    '}',
    'module.exports = Subscriber;',
  ];
  const dispatching = (call: string, onFailure: string) => [
    "const { Kafka } = require('kafkajs');",
    "const Subscriber = require('./subscribe');",
    "const consumer = new Kafka({ brokers: ['k:9092'] }).consumer({ groupId: 'g' });",
    'consumer.run({',
    '  eachMessage: async ({ message }) => {',
    '    const value = JSON.parse(message.value.toString());',
    '    try {',
    `      ${call};`,
    '    } catch (err) {',
    `      ${onFailure};`,
    '    }',
    '  },',
    '});',
  ];
  const files = (writes: boolean, consumer: readonly string[]) => ({
    'subscribe.js': subscriber(writes),
    'consumer.js': consumer,
  });

  it("a class's static async method picked by the message's key and not awaited is IDEM012; synchronous, clean", () => {
    const unawaited = dispatching('Subscriber[message.key.toString()](value)', 'throw err');
    expect(lintFilesAlone(files(true, unawaited))).toEqual(['IDEM012 consumer.js 8:7']);
    expect(lintFilesAlone(files(false, unawaited))).toEqual([]);
  });

  it('awaited in a try whose catch only logs, the same pick is a swallowed failure; a catch that rethrows is clean', () => {
    const logged = dispatching('await Subscriber[message.key.toString()](value)', 'console.log(err)');
    expect(lintFilesAlone(files(true, logged))).toEqual(['IDEM012 consumer.js 9:7']);
    const rethrown = dispatching('await Subscriber[message.key.toString()](value)', 'throw err');
    expect(lintFilesAlone(files(true, rethrown))).toEqual([]);
  });

  it('the object a required module exports, used as a table of async writers: an entry not awaited is IDEM012', () => {
    const handlers = (body: string) => [
      "const cassandra = require('cassandra-driver');",
      "const client = new cassandra.Client({ contactPoints: ['db'], localDataCenter: 'dc1' });",
      `module.exports = { userCreated: ${body} };`,
    ];
    const consumer = [
      "const { Kafka } = require('kafkajs');",
      "const handlers = require('./handlers');",
      "const consumer = new Kafka({ brokers: ['k:9092'] }).consumer({ groupId: 'g' });",
      'consumer.run({',
      '  eachMessage: async ({ message }) => {',
      '    handlers[message.key.toString()](JSON.parse(message.value.toString()));',
      '  },',
      '});',
    ];
    const write = 'async (v) => { await client.execute("INSERT INTO lms.users (id) VALUES (?)", [v.id]); }';
    expect(lintFilesAlone({ 'handlers.js': handlers(write), 'consumer.js': consumer })).toEqual([
      'IDEM012 consumer.js 6:5',
    ]);
    expect(lintFilesAlone({ 'handlers.js': handlers('(v) => console.log(v.id)'), 'consumer.js': consumer })).toEqual(
      [],
    );
  });
});

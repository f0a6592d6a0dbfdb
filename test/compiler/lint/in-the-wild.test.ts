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
});

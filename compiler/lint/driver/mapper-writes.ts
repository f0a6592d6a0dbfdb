import { Node, type CallExpression, type ObjectLiteralExpression, type SourceFile } from 'ts-morph';
import { methodCalls } from '../find-nodes.ts';
import { tableKey } from '../../analysis/cql.ts';
import { constInitializer } from './cql-text.ts';

/** A document cassandra-driver's Mapper writes: `events.insert({ eventId: …, kind })` of `mapper.forModel('Event')`. */
export interface MapperWrite {
  readonly call: CallExpression;
  /** The method's name node. */
  readonly name: Node;
  /**
   * The model's first table (`models: { Event: { tables: ['events'] } }`), else the model's name, as the Mapper does;
   * without a keyspace (`'app.visits'` is `visits`), as every statement's table is compared.
   */
  readonly table: string;
  /** The document's written-out properties: their names and the values given them. */
  readonly properties: readonly { readonly name: string; readonly value: Node }[];
}

const mapperWriteMethods: ReadonlySet<string> = new Set(['insert', 'update']);

/**
 * Writes through cassandra-driver's Mapper: `insert` and `update` on a model mapper a const holds
 * (`const events = mapper.forModel('Event')`), given an object literal. No CQL is written out: the
 * Mapper builds `INSERT INTO events (…) VALUES (…)` from the document, its primary key included.
 */
export function mapperWrites(file: SourceFile): MapperWrite[] {
  if (!file.getFullText().includes('forModel(')) return [];
  const found: MapperWrite[] = [];
  for (const call of methodCalls(file, mapperWriteMethods)) {
    const callee = call.getExpression();
    if (!Node.isPropertyAccessExpression(callee)) continue;
    const model = modelOf(callee.getExpression());
    const document = call.getArguments()[0];
    if (!model || !document || !Node.isObjectLiteralExpression(document)) continue;
    const properties = documentProperties(document);
    found.push({ call, name: callee.getNameNode(), table: tableKey(tableOfModel(file, model)), properties });
  }
  return found;
}

/** A document's written-out properties (`{ eventId: …, 'kind': …, body }`): their names and the values given them. */
export function documentProperties(document: ObjectLiteralExpression): MapperWrite['properties'] {
  return document.getProperties().flatMap((p) => {
    if (Node.isPropertyAssignment(p))
      return [{ name: p.getName().replace(/^['"]|['"]$/g, ''), value: p.getInitializerOrThrow() }];
    return Node.isShorthandPropertyAssignment(p) ? [{ name: p.getName(), value: p.getNameNode() }] : [];
  });
}

/** `'Event'` of a receiver held by `const events = mapper.forModel('Event')`. */
function modelOf(receiver: Node): string | undefined {
  const held = Node.isIdentifier(receiver) ? constInitializer(receiver) : receiver;
  if (!held || !Node.isCallExpression(held)) return undefined;
  const callee = held.getExpression();
  const name = held.getArguments()[0];
  if (!Node.isPropertyAccessExpression(callee) || callee.getName() !== 'forModel') return undefined;
  return name && Node.isStringLiteral(name) ? name.getLiteralValue() : undefined;
}

/** The first of `tables` under the model's name in a `models: { … }` option of the file, else the model's name. */
function tableOfModel(file: SourceFile, model: string): string {
  for (const option of file.getDescendants()) {
    if (!Node.isPropertyAssignment(option) || option.getName() !== 'models') continue;
    const models = option.getInitializer();
    const entry = models && Node.isObjectLiteralExpression(models) ? models.getProperty(model) : undefined;
    const spec = entry && Node.isPropertyAssignment(entry) ? entry.getInitializer() : undefined;
    const tables = spec && Node.isObjectLiteralExpression(spec) ? spec.getProperty('tables') : undefined;
    const list = tables && Node.isPropertyAssignment(tables) ? tables.getInitializer() : undefined;
    const first = list && Node.isArrayLiteralExpression(list) ? list.getElements()[0] : undefined;
    if (first && Node.isStringLiteral(first)) return first.getLiteralValue();
  }
  return model;
}

/**
 * The key column a document property writes: the same name, or its snake_case (`eventId` → `event_id`,
 * as `UnderscoreCqlToCamelCaseMappings` maps it); compared without case or underscores.
 */
export function keyColumnOf(property: string, keys: readonly string[]): string | undefined {
  const plain = (name: string) => name.replace(/_/g, '').toLowerCase();
  return keys.find((key) => plain(key) === plain(property));
}

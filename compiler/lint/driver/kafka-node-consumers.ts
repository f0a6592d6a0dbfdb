import { Node, type PropertyAccessExpression, type SourceFile } from 'ts-morph';
import { propertyOf } from '../abstract-value.ts';
import { methodCalls } from '../find-nodes.ts';
import type { StaticEvaluator } from '../static-eval.ts';
import { lookupTable } from '../../analysis/lookup-table.ts';

/** A kafka-node consumer's `on('message', fn)` callback, where the consumer commits on a timer. */
export interface AutoCommitCallback {
  readonly fn: Node;
  /** The consumer's class as written (`ConsumerGroup`, `kafka.Consumer`). */
  readonly consumer: string;
}

/** kafka-node's consumers and the argument their options are: `new Consumer(client, payloads, options)`, `new ConsumerGroup(options, topics)`. */
const optionsArgument = lookupTable<number>({
  Consumer: 2,
  HighLevelConsumer: 2,
  ConsumerGroup: 0,
});

/** `this.consumer` → its field's initializer; `consumer` → its variable's. */
function initializerOf(receiver: Node): Node | undefined {
  if (Node.isIdentifier(receiver)) {
    // `var consumer = new Consumer(…)` in older CommonJS code as well as a const.
    const declaration = receiver.getSymbol()?.getDeclarations()[0];
    return declaration && Node.isVariableDeclaration(declaration) ? declaration.getInitializer() : undefined;
  }
  if (!Node.isPropertyAccessExpression(receiver)) return undefined;
  const declaration = receiver.getNameNode().getSymbol()?.getDeclarations()[0];
  if (declaration && Node.isPropertyDeclaration(declaration)) return declaration.getInitializer();
  // `this.consumer = new ConsumerGroup(…)` in the constructor.
  const assigned = receiver
    .getNameNode()
    .getSymbol()
    ?.getDeclarations()
    .find((d) => Node.isPropertyAccessExpression(d) && Node.isBinaryExpression(d.getParent()));
  const binary = assigned?.getParent();
  return binary && Node.isBinaryExpression(binary) ? binary.getRight() : undefined;
}

/**
 * kafka-node commits the offsets it has fetched every `autoCommitIntervalMs`
 * (autoCommit is on unless the options say `autoCommit: false`), whatever
 * its `'message'` listeners are doing: the commit never waits for a write.
 * These are the listeners of such consumers in a file that imports kafka-node.
 */
export function autoCommitCallbacks(file: SourceFile, evaluator: StaticEvaluator): AutoCommitCallback[] {
  if (!file.getFullText().includes('kafka-node')) return [];
  const found: AutoCommitCallback[] = [];
  for (const call of methodCalls(file, new Set(['on']))) {
    const [event, listener] = call.getArguments();
    if (!event || !Node.isStringLiteral(event) || event.getLiteralValue() !== 'message') continue;
    if (!listener || !(Node.isArrowFunction(listener) || Node.isFunctionExpression(listener))) continue;
    const receiver = (call.getExpression() as PropertyAccessExpression).getExpression();
    const made = initializerOf(receiver);
    if (!made || !Node.isNewExpression(made)) continue;
    const consumer = made.getExpression().getText();
    const index = optionsArgument[consumer.replace(/^.*\./, '')];
    if (index === undefined) continue;
    const options = made.getArguments()[index];
    const autoCommit = options ? propertyOf(evaluator.evaluate(options), 'autoCommit') : undefined;
    if (autoCommit?.type === 'literal' && autoCommit.value === false) continue;
    found.push({ fn: listener, consumer });
  }
  return found;
}

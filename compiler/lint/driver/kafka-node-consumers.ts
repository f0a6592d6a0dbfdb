import { Node, type PropertyAccessExpression, type SourceFile } from 'ts-morph';
import { propertyOf } from '../abstract-value.ts';
import { methodCalls } from '../find-nodes.ts';
import type { StaticEvaluator } from '../static-eval.ts';
import { lookupTable } from '../../analysis/lookup-table.ts';

/** A consumer's listener (kafka-node `on('message', fn)`, node-rdkafka `on('data', fn)`) where the consumer commits on a timer. */
export interface AutoCommitCallback {
  readonly fn: Node;
  /** The consumer's class as written (`ConsumerGroup`, `kafka.Consumer`, `Kafka.KafkaConsumer`). */
  readonly consumer: string;
  readonly library: string;
  readonly event: string;
  /** The option that turns the timer's commits off, as written in the options. */
  readonly setting: string;
}

/** A consumer's listener, whether or not its consumer commits on a timer, and the consumer as written at `.on(…)`. */
export interface ConsumerListener extends AutoCommitCallback {
  readonly autoCommit: boolean;
  readonly receiver: string;
}

/** A consumer library that commits on a timer unless told not to. */
interface TimerCommitter {
  readonly library: string;
  readonly mentioned: RegExp;
  readonly event: string;
  /** Its consumer classes, and the argument their options are. */
  readonly optionsArgument: Readonly<Record<string, number>>;
  /** The options that, set to false, leave the commit to the program (any one of them). */
  readonly offSwitches: readonly string[];
}

/**
 * kafka-node: `new Consumer(client, payloads, options)`, `new ConsumerGroup(options, topics)`, `autoCommit`.
 * node-rdkafka and Confluent's client: `new KafkaConsumer(globalConfig, topicConfig)`, whose
 * `enable.auto.commit` is on by default and commits the offsets stored as messages are handed over
 * (`enable.auto.offset.store: false` leaves storing them to the program, after its write).
 */
const committers: readonly TimerCommitter[] = [
  {
    library: 'kafka-node',
    mentioned: /kafka-node/,
    event: 'message',
    optionsArgument: lookupTable<number>({ Consumer: 2, HighLevelConsumer: 2, ConsumerGroup: 0 }),
    offSwitches: ['autoCommit'],
  },
  {
    library: 'node-rdkafka',
    mentioned: /node-rdkafka|@confluentinc\/kafka-javascript/,
    event: 'data',
    optionsArgument: lookupTable<number>({ KafkaConsumer: 0 }),
    offSwitches: ['enable.auto.commit', 'enable.auto.offset.store'],
  },
];

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
 * (autoCommit is on unless the options say `autoCommit: false`), and
 * node-rdkafka every `auto.commit.interval.ms` (`enable.auto.commit` is on
 * unless set false), whatever their listeners are doing: the commit never
 * waits for a write. These are the listeners of such consumers in a file
 * that imports the library.
 */
export function autoCommitCallbacks(file: SourceFile, evaluator: StaticEvaluator): AutoCommitCallback[] {
  return consumerListeners(file, evaluator).filter((listener) => listener.autoCommit);
}

/** The listeners of kafka-node and node-rdkafka consumers in a file that imports the library, each with its commit mode. */
export function consumerListeners(file: SourceFile, evaluator: StaticEvaluator): ConsumerListener[] {
  const text = file.getFullText();
  const libraries = committers.filter((c) => c.mentioned.test(text));
  if (libraries.length === 0) return [];
  const found: ConsumerListener[] = [];
  for (const call of methodCalls(file, new Set(['on']))) {
    const [event, listener] = call.getArguments();
    if (!event || !Node.isStringLiteral(event)) continue;
    if (!listener || !(Node.isArrowFunction(listener) || Node.isFunctionExpression(listener))) continue;
    const receiver = (call.getExpression() as PropertyAccessExpression).getExpression();
    const made = initializerOf(receiver);
    if (!made || !Node.isNewExpression(made)) continue;
    const consumer = made.getExpression().getText();
    const committer = libraries.find(
      (c) => c.event === event.getLiteralValue() && c.optionsArgument[consumer.replace(/^.*\./, '')] !== undefined,
    );
    if (!committer) continue;
    const options = made.getArguments()[committer.optionsArgument[consumer.replace(/^.*\./, '')]!];
    const turnedOff = committer.offSwitches.some((name) => {
      const value = options ? propertyOf(evaluator.evaluate(options), name) : undefined;
      return value?.type === 'literal' && value.value === false;
    });
    const { library } = committer;
    found.push({
      fn: listener,
      consumer,
      library,
      event: committer.event,
      setting: committer.offSwitches[0]!,
      autoCommit: !turnedOff,
      receiver: receiver.getText(),
    });
  }
  return found;
}

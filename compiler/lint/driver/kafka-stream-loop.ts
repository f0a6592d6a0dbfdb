import { Node } from 'ts-morph';

/** Kafka client packages whose consumers hand out messages as a stream or an async iterable. */
const kafkaPackages = /^(node-rdkafka|kafkajs|@confluentinc\/kafka-javascript|@platformatic\/kafka|kafka-node)(\/|$)/;

/** How many steps (`const stream = consumer.stream()`, `Kafka.KafkaConsumer`) are followed back to a Kafka import. */
const maxSteps = 6;

/** `import Kafka from 'node-rdkafka'`, `const { KafkaConsumer } = require('node-rdkafka')`: the module a name comes from. */
function moduleOf(declaration: Node): string | undefined {
  for (let at: Node | undefined = declaration; at; at = at.getParent()) {
    if (Node.isImportDeclaration(at)) return at.getModuleSpecifierValue();
    if (Node.isVariableDeclaration(at)) {
      const init = at.getInitializer();
      const required = init && Node.isCallExpression(init) ? init : undefined;
      const argument = required?.getArguments()[0];
      if (required?.getExpression().getText() === 'require' && argument && Node.isStringLiteral(argument))
        return argument.getLiteralValue();
      return undefined;
    }
    if (Node.isSourceFile(at)) return undefined;
  }
  return undefined;
}

/** `async function* messages(…)` (or a generator method) of the program, named by a callee. */
function isGeneratorOfProgram(callee: Node): boolean {
  const name = Node.isPropertyAccessExpression(callee) ? callee.getNameNode() : callee;
  if (!Node.isIdentifier(name)) return false;
  const symbol = name.getSymbol();
  const declarations = (symbol?.getAliasedSymbol() ?? symbol)?.getDeclarations() ?? [];
  return declarations.some(
    (d) =>
      (Node.isFunctionDeclaration(d) || Node.isMethodDeclaration(d) || Node.isFunctionExpression(d)) &&
      d.isGenerator() &&
      !d.getSourceFile().isDeclarationFile(),
  );
}

/**
 * Does `expression` come from a Kafka client: a call or `new` on a name
 * imported from a Kafka package (`Kafka.KafkaConsumer.createReadStream(…)`),
 * or a const holding one (`const stream = consumer.getReadStream()`). A file
 * stream (`fs.createReadStream`, `readline`) does not.
 */
function fromKafkaClient(expression: Node, steps = 0): boolean {
  if (steps > maxSteps) return false;
  if (
    Node.isAwaitExpression(expression) ||
    Node.isParenthesizedExpression(expression) ||
    Node.isAsExpression(expression)
  )
    return fromKafkaClient(expression.getExpression(), steps + 1);
  // `messages(consumer, 'goals')`: a generator of the program given a Kafka consumer yields that consumer's messages.
  if (
    Node.isCallExpression(expression) &&
    isGeneratorOfProgram(expression.getExpression()) &&
    expression.getArguments().some((argument) => fromKafkaClient(argument, steps + 1))
  )
    return true;
  if (Node.isCallExpression(expression) || Node.isNewExpression(expression))
    return fromKafkaClient(expression.getExpression(), steps + 1);
  if (Node.isPropertyAccessExpression(expression)) return fromKafkaClient(expression.getExpression(), steps + 1);
  if (!Node.isIdentifier(expression)) return false;
  for (const declaration of expression.getSymbol()?.getDeclarations() ?? []) {
    const from = moduleOf(declaration);
    if (from !== undefined) return kafkaPackages.test(from);
    const init = Node.isVariableDeclaration(declaration) ? declaration.getInitializer() : undefined;
    if (init) return fromKafkaClient(init, steps + 1);
  }
  return false;
}

/**
 * `for await (const message of consumerStream) { … }` around `node`: each
 * message of a Kafka consumer's stream is delivered at least once, so the
 * loop's body runs again for a message after a crash or a rebalance, like an
 * `on('data', …)` callback. Returns the loop.
 */
export function kafkaStreamLoopAround(node: Node): Node | undefined {
  for (let child: Node = node, at = node.getParent(); at; child = at, at = at.getParent()) {
    if (
      Node.isForOfStatement(at) &&
      at.isAwaited() &&
      child === at.getStatement() &&
      fromKafkaClient(at.getExpression())
    )
      return at;
  }
  return undefined;
}

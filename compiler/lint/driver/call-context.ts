import { Node, SyntaxKind, type CallExpression } from 'ts-morph';

/** Helpers that call their function again when it throws: a write inside runs more than once. */
const retryModules = new Set([
  'p-retry',
  'async-retry',
  'promise-retry',
  'exponential-backoff',
  'retry',
  'ts-retry-promise',
  'async',
  'cockatiel',
]);
const retryNames =
  /^(pRetry|retry|asyncRetry|promiseRetry|backOff|retryAsync|withRetry|withRetries|retryable|attempt)$/;

const isFunction = (node: Node) =>
  Node.isArrowFunction(node) ||
  Node.isFunctionExpression(node) ||
  Node.isFunctionDeclaration(node) ||
  Node.isMethodDeclaration(node);

function calleeName(call: CallExpression): Node | undefined {
  const callee = call.getExpression();
  if (Node.isIdentifier(callee)) return callee;
  if (Node.isPropertyAccessExpression(callee)) return callee.getNameNode();
  return undefined;
}

/** Imported from a retry package, by whatever local name (type-aware: the import is resolved, not guessed). */
function importedFromRetryModule(name: Node): boolean {
  const declaration = name.getSymbol()?.getDeclarations()[0];
  const from = declaration?.getFirstAncestorByKind(SyntaxKind.ImportDeclaration)?.getModuleSpecifierValue();
  return from !== undefined && retryModules.has(from);
}

/** The retry helper call (`pRetry(() => …)`, `retry(async () => …)`) whose callback holds `node`. */
export function retryHelperAround(node: Node): CallExpression | undefined {
  for (const fn of node.getAncestors().filter(isFunction)) {
    const call = fn.getParentIfKind(SyntaxKind.CallExpression);
    if (!call || !call.getArguments().includes(fn as never)) continue;
    const name = calleeName(call);
    if (name && (importedFromRetryModule(name) || retryNames.test(name.getText()))) return call;
  }
  return undefined;
}

/**
 * The loop of a hand-written retry around `node`: the node is in the `try`
 * block of a try/catch that sits in a loop, within one function. The catch
 * swallows the failure and the loop sends the same statement again.
 */
export function retryLoopAround(node: Node): Node | undefined {
  let inTryBlock: Node | undefined;
  for (let child: Node = node, parent = node.getParent(); parent; child = parent, parent = parent.getParent()) {
    if (isFunction(parent)) return undefined;
    if (Node.isTryStatement(parent) && child === parent.getTryBlock() && parent.getCatchClause()) inTryBlock = parent;
    if (
      inTryBlock &&
      (Node.isForStatement(parent) ||
        Node.isForOfStatement(parent) ||
        Node.isForInStatement(parent) ||
        Node.isWhileStatement(parent) ||
        Node.isDoStatement(parent))
    )
      return parent;
  }
  return undefined;
}

export interface KafkaHandler {
  readonly kind: 'eachMessage' | 'eachBatch';
  readonly fn: Node;
  /** The `consumer.run({...})` options. */
  readonly options: Node;
  readonly autoCommit: boolean;
}

/** A kafkajs `consumer.run({ eachMessage | eachBatch })` handler, if `fn` is one. */
export function kafkaHandlerOf(fn: Node): KafkaHandler | undefined {
  const holder = Node.isMethodDeclaration(fn) ? fn : fn.getParentIfKind(SyntaxKind.PropertyAssignment);
  if (!holder) return undefined;
  const name = holder.getSymbol()?.getName();
  if (name !== 'eachMessage' && name !== 'eachBatch') return undefined;
  const options = holder.getParentIfKind(SyntaxKind.ObjectLiteralExpression);
  const run = options?.getParentIfKind(SyntaxKind.CallExpression);
  const callee = run?.getExpression();
  if (!options || !callee || !Node.isPropertyAccessExpression(callee) || callee.getName() !== 'run') return undefined;
  const autoCommit = options.getProperty('autoCommit');
  const off =
    autoCommit &&
    Node.isPropertyAssignment(autoCommit) &&
    autoCommit.getInitializer()?.getKind() === SyntaxKind.FalseKeyword;
  return { kind: name, fn, options, autoCommit: !off };
}

/** The kafkajs handler whose body (at any depth) holds `node`: its messages are delivered at least once. */
export function kafkaHandlerAround(node: Node): KafkaHandler | undefined {
  for (const fn of node.getAncestors().filter(isFunction)) {
    const handler = kafkaHandlerOf(fn);
    if (handler) return handler;
  }
  return undefined;
}

import { Node, SyntaxKind } from 'ts-morph';

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

import { Node, SyntaxKind, ts, type TypeNode } from 'ts-morph';

/**
 * AWS Lambda event sources that hand a function a batch and hand it over
 * again when the function fails (MSK and self-managed Kafka, SQS, Kinesis,
 * DynamoDB streams), or that retry a failed asynchronous invocation (SNS).
 * Named by the `aws-lambda` types a handler is written with: `MSKEvent`,
 * `SQSHandler`, `KinesisStreamEvent`, also a local `MskEvent`.
 */
const eventSource = /^(msk|selfmanagedkafka|sqs|kinesis|kinesisstream|dynamodbstream|sns)(event|handler|batchevent)$/i;

/** The Lambda event source a type written in the source names (`MSKEvent`, `lambda.SQSHandler`, `Handler<SQSEvent>`). */
function sourceNamedBy(type: TypeNode | undefined): string | undefined {
  if (!type || !Node.isTypeReference(type)) return undefined;
  const name = type.getTypeName().getText().split('.').pop()!;
  const match = eventSource.exec(name);
  if (match) return name;
  return type
    .getTypeArguments()
    .map(sourceNamedBy)
    .find((found) => found !== undefined);
}

/**
 * The event type of an AWS Lambda event-source handler: a function whose
 * first parameter is typed by one (`async (event: MSKEvent) => …`, also a
 * function handed to a wrapper such as middy), or a const typed as one
 * (`export const handler: SQSHandler = async (event) => …`).
 */
function lambdaEventOf(fn: Node): string | undefined {
  if (!(
    Node.isArrowFunction(fn) ||
    Node.isFunctionExpression(fn) ||
    Node.isFunctionDeclaration(fn) ||
    Node.isMethodDeclaration(fn)
  ))
    return undefined;
  const parameter = fn.getParameters()[0];
  const byParameter = sourceNamedBy(parameter?.getTypeNode());
  if (byParameter) return byParameter;
  const holder = fn.getParentIfKind(SyntaxKind.VariableDeclaration);
  return (
    sourceNamedBy(holder?.getTypeNode()) ?? sourceInJsDoc(parameter?.compilerNode) ?? sourceInJsDoc(fn.compilerNode)
  );
}

/**
 * The event source a JSDoc type names, for JavaScript handlers (round 11, U11D f11): `@param
 * {import('aws-lambda').SQSEvent} event`, or `@type {import('aws-lambda').SQSHandler}` above
 * `exports.handler = async (event) => …`.
 */
function sourceInJsDoc(node: ts.Node | undefined): string | undefined {
  const type = node && ts.getJSDocType(node);
  return type
    ?.getText()
    .match(/[A-Za-z_]\w*/g)
    ?.find((word) => eventSource.test(word));
}

/**
 * An AWS Lambda event-source handler around `node` (unseen round 10, U10D): a
 * failed invocation hands the whole batch over again — the records already
 * written included — so the code in it runs again for the same input.
 */
export function lambdaHandlerAround(node: Node): { describe: string; at: Node } | undefined {
  for (const fn of node.getAncestors()) {
    const event = lambdaEventOf(fn);
    if (event) return { describe: `an AWS Lambda ${event} handler (a failed batch is delivered again)`, at: fn };
  }
  return undefined;
}

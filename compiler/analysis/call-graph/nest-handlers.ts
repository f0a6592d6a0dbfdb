import ts from 'typescript';
import { packageExportOf } from './package-exports.ts';
import { unwrap } from './unwrap.ts';

/** NestJS microservice decorators whose method the transport calls once a message it delivers. */
const messageDecorators = new Set(['EventPattern', 'MessagePattern']);

/**
 * `@EventPattern('topic')` / `@MessagePattern('topic')` of `@nestjs/microservices` (imported under any name):
 * the method is a message handler. On the Kafka transport Nest runs it from a kafkajs `eachMessage`, so a
 * message is delivered at least once, as to a handler registered with `consumer.run`. Returns the decorator's
 * name as the package exports it, or undefined for any other decorator.
 */
export function nestMessageDecorator(
  decorator: ts.Decorator,
  checker: ts.TypeChecker,
): 'EventPattern' | 'MessagePattern' | undefined {
  const written = unwrap(decorator.expression);
  const callee = ts.isCallExpression(written) ? unwrap(written.expression) : written;
  const name = ts.isPropertyAccessExpression(callee) ? callee.name : callee;
  if (!ts.isIdentifier(name)) return undefined;
  const exported = packageExportOf(ts.isPropertyAccessExpression(callee) ? callee.expression : name, checker);
  if (exported?.module !== '@nestjs/microservices') return undefined;
  const taken = exported.exported ?? name.text;
  return messageDecorators.has(taken) ? (taken as 'EventPattern' | 'MessagePattern') : undefined;
}

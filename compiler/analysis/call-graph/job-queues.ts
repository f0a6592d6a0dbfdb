import ts from 'typescript';
import { packageExportOf } from './package-exports.ts';
import { resolveName, unwrap } from './resolve.ts';

/**
 * Job-queue packages whose processor may run a job more than once: a failed
 * job is run again while its `attempts` last, and a stalled one (its worker
 * died or missed its lock) is handed to another worker — at least once, as
 * a Kafka handler. BullMQ's processor is the second argument of `new
 * Worker(queue, processor)`; Bull's and Bee-Queue's the last argument of
 * `queue.process(…)` on a queue made by `new Queue(…)` of the package.
 */
const workerPackages = new Set(['bullmq', 'bullmq-pro', '@taskforcesh/bullmq-pro']);
const queuePackages = new Set(['bull', 'bee-queue']);

/** A file that may register a job processor: only then are its calls asked. */
export const mentionsJobQueue = (text: string) => /['"](bullmq|bull|bee-queue)['"]|\bbullmq-pro\b/.test(text);

/** The processor a `new Worker(…)` or `queue.process(…)` registers, with the package's words for it, or undefined. */
export function jobProcessor(
  node: ts.Node,
  checker: ts.TypeChecker,
): { processor: ts.Expression; label: string } | undefined {
  if (ts.isNewExpression(node)) {
    const made = packageExportOf(unwrap(node.expression), checker);
    const processor = node.arguments?.[1];
    return made && workerPackages.has(made.module) && made.exported === 'Worker' && processor
      ? { processor, label: "BullMQ's Worker" }
      : undefined;
  }
  if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return undefined;
  if (node.expression.name.text !== 'process' || node.arguments.length === 0) return undefined;
  const module = queueModule(unwrap(node.expression.expression), checker);
  return module ? { processor: node.arguments.at(-1)!, label: `${module}'s queue.process` } : undefined;
}

/** The package of the queue a name holds (`const hits = new Queue('hits')` of `bull`). */
function queueModule(receiver: ts.Expression, checker: ts.TypeChecker): string | undefined {
  if (!ts.isIdentifier(receiver)) return undefined;
  const held = resolveName(receiver, checker);
  const init = held.kind === 'variable' && held.node.initializer ? unwrap(held.node.initializer) : undefined;
  if (!init || !ts.isNewExpression(init)) return undefined;
  const made = packageExportOf(unwrap(init.expression), checker);
  return made && queuePackages.has(made.module) ? made.module : undefined;
}

import ts from 'typescript';
import { unwrap } from './resolve.ts';

/** `Promise.race` and `Promise.any`: the first to settle wins, the others still run to the end. */
const hedgingCombinator = /^Promise\.(race|any)$/;

/**
 * A hedge written in place (unseen round 10, c09): `Promise.race([send(),
 * sleep(150).then(send)])` with a local `send`. Both elements run the same
 * function when the first is slow, so a write it sends may land twice, as
 * under a retry. The function's name, when two elements of the list run it
 * (called, or handed to `.then`); undefined otherwise.
 */
export function hedgedName(call: ts.CallExpression): ts.Identifier | undefined {
  if (!hedgingCombinator.test(call.expression.getText().replace(/\s+/g, ''))) return undefined;
  const list = call.arguments[0] && unwrap(call.arguments[0]);
  if (!list || !ts.isArrayLiteralExpression(list)) return undefined;
  const runs = new Map<string, { name: ts.Identifier; elements: number }>();
  for (const element of list.elements) {
    const names = new Set<ts.Identifier>();
    collectRuns(element, names);
    for (const name of new Set([...names].map((n) => n.text))) {
      const seen = runs.get(name);
      runs.set(name, {
        name: seen?.name ?? [...names].find((n) => n.text === name)!,
        elements: (seen?.elements ?? 0) + 1,
      });
    }
  }
  return [...runs.values()].find((r) => r.elements >= 2)?.name;
}

/** `send()`, and the `send` of `later.then(send)` or `later.then(() => send())`: the names an element runs. */
function collectRuns(node: ts.Node, names: Set<ts.Identifier>): void {
  if (ts.isCallExpression(node)) {
    const callee = unwrap(node.expression);
    if (ts.isIdentifier(callee)) names.add(callee);
    if (ts.isPropertyAccessExpression(callee) && /^(then|finally)$/.test(callee.name.text))
      for (const argument of node.arguments) {
        const run = handedRun(unwrap(argument));
        if (run) names.add(run);
      }
  }
  if (ts.isFunctionLike(node)) return;
  ts.forEachChild(node, (child) => collectRuns(child, names));
}

/** `send` and `() => send()`: the function a `.then` runs. */
function handedRun(argument: ts.Expression): ts.Identifier | undefined {
  if (ts.isIdentifier(argument)) return argument;
  if (!ts.isArrowFunction(argument) || ts.isBlock(argument.body)) return undefined;
  const body = unwrap(argument.body);
  return ts.isCallExpression(body) && ts.isIdentifier(unwrap(body.expression))
    ? (unwrap(body.expression) as ts.Identifier)
    : undefined;
}

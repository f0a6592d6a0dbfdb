import ts from 'typescript';
import { resolveCallee, unwrap, type FunctionNode } from './resolve.ts';
import { yieldedExpressions } from './value-sources.ts';

/** The yields of a generator written one after another at the top of its body (`yield a; yield b;`), in order; else undefined. */
function yieldsInOrder(generator: FunctionNode): ts.Expression[] | undefined {
  const body = generator.body;
  if (!body || !ts.isBlock(body)) return undefined;
  const all = yieldedExpressions(generator);
  const inOrder = body.statements.flatMap((s) => {
    const y = ts.isExpressionStatement(s) ? unwrap(s.expression) : undefined;
    return y && ts.isYieldExpression(y) && !y.asteriskToken && y.expression ? [y.expression] : [];
  });
  // A yield in a loop or a branch, or a `yield*`, moves the later ones: their positions are not known.
  return inOrder.length === all.length ? inOrder : undefined;
}

/** A name an array pattern takes from a call of a generator of the program, and what that position can hold. */
export interface GeneratorPosition {
  readonly call: ts.CallExpression;
  readonly generator: FunctionNode;
  /** The yields the name may take: the one at its position when the body yields in a straight line, else all of them. */
  readonly values: readonly ts.Expression[];
}

/**
 * `arrival` of `const [, arrival] = stamps(e)`, with `function* stamps(e) { yield e.ts; yield Date.now(); }`:
 * destructuring by position runs the generator that far, so the name holds the second value it yields
 * (`...rest` holds those from its position on). Undefined for anything else.
 */
export function generatorPosition(binding: ts.BindingElement, checker: ts.TypeChecker): GeneratorPosition | undefined {
  const pattern = binding.parent;
  const declaration = pattern.parent;
  if (!ts.isArrayBindingPattern(pattern) || !ts.isVariableDeclaration(declaration) || !declaration.initializer)
    return undefined;
  const call = unwrap(declaration.initializer);
  if (!ts.isCallExpression(call)) return undefined;
  const generator = resolveCallee(call, checker);
  if (generator.kind !== 'function' || !generator.node.asteriskToken) return undefined;
  const index = pattern.elements.indexOf(binding);
  const inOrder = yieldsInOrder(generator.node);
  const values = !inOrder
    ? yieldedExpressions(generator.node)
    : binding.dotDotDotToken
      ? inOrder.slice(index)
      : inOrder.slice(index, index + 1);
  return { call, generator: generator.node, values };
}

import { ts, type Node } from 'ts-morph';
import { callsOf } from '../analysis/call-graph/call-sites.ts';
import { truthOf, type AbstractValue } from './abstract-value.ts';
import type { StaticEvaluator } from './static-eval.ts';

/** A condition a node sits under inside its function, and the truth that reaches it. */
interface Guard {
  readonly condition: ts.Expression;
  readonly when: boolean;
}

/** `opts.mode === 'live' ? counted.sink(…) : …` and `if (…) { … }` around `node`, up to its enclosing function. */
function guardsOf(node: ts.Node): { guards: Guard[]; fn: ts.SignatureDeclaration | undefined } {
  const guards: Guard[] = [];
  let child = node;
  for (let parent = node.parent; parent && !ts.isSourceFile(parent); child = parent, parent = parent.parent) {
    if (ts.isFunctionLike(parent)) return { guards, fn: parent };
    if (ts.isConditionalExpression(parent) && child !== parent.condition)
      guards.push({ condition: parent.condition, when: child === parent.whenTrue });
    if (ts.isIfStatement(parent) && child !== parent.expression)
      guards.push({ condition: parent.expression, when: child === parent.thenStatement });
  }
  return { guards, fn: undefined };
}

/** Whether the guards, read with these parameters bound, may let the node run: false only when one is known to block. */
function open(guards: readonly Guard[], bindings: ReadonlyMap<ts.Node, AbstractValue>, read: Reader): boolean {
  return guards.every((g) => {
    const truth = truthOf(read(g.condition, bindings));
    return truth === undefined || truth === g.when;
  });
}

const undefinedValue: AbstractValue = { type: 'literal', value: undefined };

type CallSite = ts.CallExpression | ts.NewExpression;
type CallsOf = (fn: ts.SignatureDeclaration, program: ts.Program, checker: ts.TypeChecker) => CallSite[];

/** call-sites.ts's callsOf, over ts-morph's bundled TypeScript: the same compiler, whose nodes the call graph only reads. */
const callsOfFunction = (fn: ts.SignatureDeclaration, program: ts.Program): CallSite[] =>
  (callsOf as unknown as CallsOf)(fn, program, program.getTypeChecker());

type Reader = (expression: ts.Node, bindings: ReadonlyMap<ts.Node, AbstractValue>) => AbstractValue;

/**
 * Whether a DSL call (a `.sink(…)`) can run as the program is written. A branch of a factory is not taken when
 * its condition is known false for every call of the factory the program makes (`makePipeline('visits', { mode:
 * 'totals' })` never takes `opts.mode === 'live' ? …counter…`), or false outright. Anything not known (no call
 * found, an argument or condition that cannot be read) counts as taken: the cautious reading.
 */
export function mayRun(call: Node, evaluator: StaticEvaluator): boolean {
  const { guards, fn } = guardsOf(call.compilerNode);
  if (guards.length === 0) return true;
  const read: Reader = (expression, bindings) => evaluator.evaluateBound(expression, bindings, call);
  if (!open(guards, new Map(), read)) return false;
  if (!fn || fn.parameters.length === 0) return true;
  const calls = callsOfFunction(fn, call.getProject().getProgram().compilerObject);
  if (calls.length === 0) return true;
  return calls.some((site) => {
    const args = site.arguments ?? [];
    if (args.some(ts.isSpreadElement)) return true;
    // A parameter left out holds its default, read where it is declared, or undefined.
    const passed = (p: ts.ParameterDeclaration, i: number): AbstractValue =>
      args[i] ? read(args[i], new Map()) : p.initializer ? read(p.initializer, new Map()) : undefinedValue;
    const bindings = new Map<ts.Node, AbstractValue>(fn.parameters.map((p, i) => [p, passed(p, i)]));
    return open(guards, bindings, read);
  });
}

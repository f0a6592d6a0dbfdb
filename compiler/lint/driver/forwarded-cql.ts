import ts from 'typescript';
import { Node, type CallExpression, type SourceFile } from 'ts-morph';
import {
  calleeName,
  isFunctionNode,
  resolveCallee,
  resolveName,
  type FunctionNode,
} from '../../analysis/call-graph/resolve.ts';
import { callsWhere } from '../find-nodes.ts';
import { isLibraryFile } from '../../analysis/call-graph/package-exports.ts';

/** The argument positions of a driver method: which one is the query, the parameters, the options. */
export interface ArgumentPlaces {
  readonly query: number;
  readonly params: number | undefined;
  readonly options: number;
}

/**
 * A function of the program that hands one of its parameters to the driver
 * as the query: `const run = (cql, params) => client.execute(cql, params, { prepare: true })`.
 * Its callers hold the CQL; each call of it sends a statement.
 */
export interface Forwarder {
  readonly method: string;
  /** The driver call inside the helper (whose options and retry loop count for every caller). */
  readonly inner: ts.CallExpression;
  /** Where the helper's callers pass the query, parameters and options (`undefined`: the helper's own). */
  readonly places: {
    readonly query: number;
    readonly params: number | undefined;
    readonly options: number | undefined;
  };
}

/** The index of `node` among the parameters of `fn`, when it is one of them by name. */
function parameterIndex(
  node: ts.Expression | undefined,
  fn: FunctionNode,
  checker: ts.TypeChecker,
): number | undefined {
  if (!node || !ts.isIdentifier(node)) return undefined;
  const resolved = resolveName(node, checker);
  if (resolved.kind !== 'parameter') return undefined;
  if (ts.isBindingElement(resolved.node)) return restElementIndex(resolved.node, fn, checker);
  return resolved.node.parent === fn ? fn.parameters.indexOf(resolved.node) : undefined;
}

/**
 * `send(client, ...statement) { const [cql, params] = statement; … }`: `cql`
 * is the argument at the rest parameter's place plus its own position.
 */
function restElementIndex(element: ts.BindingElement, fn: FunctionNode, checker: ts.TypeChecker): number | undefined {
  const pattern = element.parent;
  const declaration = pattern.parent;
  if (!ts.isArrayBindingPattern(pattern) || element.dotDotDotToken || !ts.isVariableDeclaration(declaration))
    return undefined;
  const init = declaration.initializer;
  const rest = init && ts.isIdentifier(init) ? resolveName(init, checker) : undefined;
  if (rest?.kind !== 'parameter' || !ts.isParameter(rest.node) || !rest.node.dotDotDotToken || rest.node.parent !== fn)
    return undefined;
  return fn.parameters.indexOf(rest.node) + pattern.elements.indexOf(element);
}

/** The helpers of a program that forward their parameter as the query, found once a program. */
class Forwarders {
  readonly byFunction = new Map<FunctionNode, Forwarder>();
  readonly names = new Set<string>();

  constructor(program: ts.Program, methods: ReadonlyMap<string, ArgumentPlaces>) {
    const checker = program.getTypeChecker();
    const mentions = new RegExp(`\\.(${[...methods.keys()].join('|')})\\s*\\(`);
    for (const file of program.getSourceFiles()) {
      if (isLibraryFile(file) || !mentions.test(file.text)) continue;
      const visit = (node: ts.Node): void => {
        if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
          const places = methods.get(node.expression.name.text);
          if (places) this.#add(node, node.expression.name.text, places, checker);
        }
        ts.forEachChild(node, visit);
      };
      visit(file);
    }
  }

  #add(call: ts.CallExpression, method: string, places: ArgumentPlaces, checker: ts.TypeChecker): void {
    const fn = ts.findAncestor(call.parent, isFunctionNode);
    if (!fn) return;
    const query = parameterIndex(call.arguments[places.query], fn, checker);
    if (query === undefined) return;
    const at = (i: number | undefined) =>
      i === undefined ? undefined : parameterIndex(call.arguments[i], fn, checker);
    this.byFunction.set(fn, {
      method,
      inner: call,
      places: { query, params: at(places.params), options: at(places.options) },
    });
    const name =
      ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn)
        ? fn.name
        : ts.isVariableDeclaration(fn.parent) ||
            ts.isPropertyAssignment(fn.parent) ||
            ts.isPropertyDeclaration(fn.parent)
          ? fn.parent.name
          : undefined;
    if (name && ts.isIdentifier(name)) this.names.add(name.text);
  }
}

const perProgram = new WeakMap<ts.Program, Forwarders>();

/** A call in `file` of a helper that forwards its query to the driver, with what the helper does with it. */
export function forwardedCalls(
  file: SourceFile,
  methods: ReadonlyMap<string, ArgumentPlaces>,
): { readonly call: CallExpression; readonly name: Node; readonly forwarder: Forwarder }[] {
  const program = file.getProject().getProgram().compilerObject as unknown as ts.Program;
  let forwarders = perProgram.get(program);
  if (!forwarders) perProgram.set(program, (forwarders = new Forwarders(program, methods)));
  if (forwarders.names.size === 0) return [];
  const known = forwarders;
  const checker = program.getTypeChecker();
  return callsWhere(file, (call) => {
    const name = calleeName(call.expression as never);
    return name !== undefined && known.names.has(name.getText());
  }).flatMap((call) => {
    const resolved = resolveCallee(call.compilerNode as unknown as ts.CallExpression, checker);
    const forwarder = resolved.kind === 'function' ? known.byFunction.get(resolved.node) : undefined;
    if (!forwarder) return [];
    const callee = call.getExpression();
    return [{ call, name: Node.isPropertyAccessExpression(callee) ? callee.getNameNode() : callee, forwarder }];
  });
}

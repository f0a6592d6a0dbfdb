import { Node, SyntaxKind, ts, type CallExpression, type Expression, type Symbol as MorphSymbol } from 'ts-morph';
import { unknownValue, type AbstractValue } from './abstract-value.ts';
import { wrap } from './find-nodes.ts';
import { isIdemflowDeclaration, isIdemflowModule } from './idemflow-module.ts';
import { locationOf } from './location.ts';
import { callDsl } from './static-dsl.ts';

/** Parameter bindings while reading a helper function's body for one call. */
type Env = ReadonlyMap<Node, AbstractValue>;

/** How deep helper calls are followed (`countPerSensor(source.kafka(…))` is one). */
const maxCallDepth = 12;

/**
 * Reads expressions without running them: literals, objects, constants
 * (across files, through imports), helper functions called with known
 * arguments, and idemflow's DSL calls, which become IR. Everything else is
 * `unknown`. Type-aware: names are resolved with the type checker's symbols.
 */
export class StaticEvaluator {
  readonly #declarations = new Map<Node, AbstractValue>();
  #depth = 0;

  evaluate(expression: Node, env: Env = new Map()): AbstractValue {
    if (
      Node.isParenthesizedExpression(expression) ||
      Node.isAsExpression(expression) ||
      Node.isSatisfiesExpression(expression) ||
      Node.isNonNullExpression(expression) ||
      Node.isTypeAssertion(expression)
    ) {
      return this.evaluate(expression.getExpression(), env);
    }
    if (Node.isStringLiteral(expression) || Node.isNoSubstitutionTemplateLiteral(expression))
      return { type: 'literal', value: expression.getLiteralValue() };
    if (Node.isNumericLiteral(expression)) return { type: 'literal', value: expression.getLiteralValue() };
    if (Node.isTrueLiteral(expression) || Node.isFalseLiteral(expression))
      return { type: 'literal', value: expression.getLiteralValue() };
    if (Node.isNullLiteral(expression)) return { type: 'literal', value: null };
    if (Node.isPrefixUnaryExpression(expression) && expression.getOperatorToken() === SyntaxKind.MinusToken) {
      const operand = this.evaluate(expression.getOperand(), env);
      return operand.type === 'literal' && typeof operand.value === 'number'
        ? { type: 'literal', value: -operand.value }
        : unknownValue;
    }
    if (Node.isArrowFunction(expression) || Node.isFunctionExpression(expression))
      return { type: 'fn', node: expression };
    if (Node.isObjectLiteralExpression(expression)) return this.#object(expression, env);
    if (Node.isArrayLiteralExpression(expression))
      return { type: 'array', items: expression.getElements().map((e) => this.evaluate(e, env)) };
    if (Node.isIdentifier(expression)) return this.#identifier(expression, env);
    if (Node.isPropertyAccessExpression(expression))
      return this.#property(this.evaluate(expression.getExpression(), env), expression.getName());
    if (Node.isCallExpression(expression)) return this.#call(expression, env);
    return unknownValue;
  }

  #object(node: Node & { getProperties(): Node[] }, env: Env): AbstractValue {
    const props = new Map<string, AbstractValue>();
    let complete = true;
    for (const prop of node.getProperties()) {
      if (Node.isPropertyAssignment(prop)) {
        const name = propertyName(prop.getNameNode());
        const init = prop.getInitializer();
        if (name === undefined || !init) complete = false;
        else props.set(name, this.evaluate(init, env));
      } else if (Node.isShorthandPropertyAssignment(prop)) {
        props.set(prop.getName(), this.#symbolValue(prop.getValueSymbol(), env));
      } else if (Node.isMethodDeclaration(prop)) {
        const name = propertyName(prop.getNameNode());
        if (name === undefined) complete = false;
        else props.set(name, { type: 'fn', node: prop });
      } else if (Node.isSpreadAssignment(prop)) {
        const spread = this.evaluate(prop.getExpression(), env);
        if (spread.type === 'object') {
          for (const [k, v] of spread.props) props.set(k, v);
          complete &&= spread.complete;
        } else {
          complete = false;
        }
      } else {
        complete = false;
      }
    }
    return { type: 'object', props, complete };
  }

  #identifier(node: Node, env: Env): AbstractValue {
    if (node.getText() === 'undefined') return { type: 'literal', value: undefined };
    return this.#symbolValue(node.getSymbol(), env);
  }

  #symbolValue(symbol: MorphSymbol | undefined, env: Env): AbstractValue {
    if (!symbol) return unknownValue;
    const own = symbol.getDeclarations()[0];
    if (own && (Node.isImportSpecifier(own) || Node.isNamespaceImport(own) || Node.isImportClause(own))) {
      const declaration = own.getFirstAncestorByKind(SyntaxKind.ImportDeclaration);
      if (isIdemflowModule(declaration))
        return { type: 'dsl', name: Node.isImportSpecifier(own) ? own.getName() : '*' };
      // Other packages (zod, loggers, drivers) hold no pipeline: not following them into node_modules saves the checker's work.
      if (declaration && !declaration.getModuleSpecifierValue().startsWith('.')) return unknownValue;
    }
    const target = symbol.isAlias() ? symbol.getAliasedSymbol() : symbol;
    const declaration = target?.getDeclarations()[0];
    if (!declaration) return unknownValue;
    if (isIdemflowDeclaration(declaration)) return { type: 'dsl', name: target!.getName() };
    if (env.has(declaration)) return env.get(declaration)!;
    return this.#declarationValue(declaration);
  }

  /** The value a declaration gives its name: a const's initializer, or a function. Cached; cycles read as unknown. */
  #declarationValue(declaration: Node): AbstractValue {
    const cached = this.#declarations.get(declaration);
    if (cached) return cached;
    this.#declarations.set(declaration, unknownValue);
    let value: AbstractValue = unknownValue;
    if (Node.isFunctionDeclaration(declaration)) {
      value = { type: 'fn', node: declaration };
    } else if (Node.isVariableDeclaration(declaration)) {
      const isConst = declaration.getVariableStatement()?.getDeclarationKind() === 'const';
      const init = declaration.getInitializer();
      if (isConst && init) value = this.evaluate(init);
    } else if (Node.isExportAssignment(declaration)) {
      value = this.evaluate(declaration.getExpression());
    }
    this.#declarations.set(declaration, value);
    return value;
  }

  #property(object: AbstractValue, name: string): AbstractValue {
    if (object.type === 'dsl') return { type: 'dsl', name: object.name === '*' ? name : `${object.name}.${name}` };
    if (object.type === 'object') return object.props.get(name) ?? unknownValue;
    return { type: 'unknown' };
  }

  #call(call: CallExpression, env: Env): AbstractValue {
    const callee = call.getExpression();
    // Arguments are read only when the callee is something we follow: most calls (zod, loggers) are not.
    const args = () => call.getArguments().map((a) => this.evaluate(a, env));
    if (Node.isPropertyAccessExpression(callee)) {
      const receiver = this.evaluate(callee.getExpression(), env);
      if (receiver.type === 'unknown' || receiver.type === 'literal') return unknownValue;
      const method = callee.getName();
      const values = args();
      const dsl = callDsl(receiver, method, values, { location: locationOf(callee.getNameNode()) });
      if (dsl) return dsl;
      return this.#invoke(this.#property(receiver, method), values);
    }
    const fn = this.evaluate(callee, env);
    if (fn.type === 'dsl') return callDsl(undefined, fn.name, args(), { location: locationOf(callee) }) ?? unknownValue;
    return fn.type === 'fn' ? this.#invoke(fn, args()) : unknownValue;
  }

  /** Reads a helper's body with its parameters bound to the arguments: `(r) => r.groupBy('k').count()`. */
  #invoke(fn: AbstractValue, args: readonly AbstractValue[]): AbstractValue {
    if (fn.type !== 'fn' || this.#depth >= maxCallDepth) return unknownValue;
    const node = fn.node;
    if (!(Node.isArrowFunction(node) || Node.isFunctionExpression(node) || Node.isFunctionDeclaration(node)))
      return unknownValue;
    const env = new Map<Node, AbstractValue>();
    node.getParameters().forEach((p, i) => env.set(p, args[i] ?? { type: 'literal', value: undefined }));
    const body = node.getBody();
    if (!body) return unknownValue;
    const returned = Node.isBlock(body) ? onlyReturnedExpression(body) : (body as Expression);
    if (!returned) return unknownValue;
    this.#depth++;
    try {
      return this.evaluate(returned, env);
    } finally {
      this.#depth--;
    }
  }
}

function propertyName(name: Node): string | undefined {
  if (Node.isIdentifier(name) || Node.isStringLiteral(name) || Node.isNumericLiteral(name))
    return String(Node.isIdentifier(name) ? name.getText() : name.getLiteralValue());
  return undefined;
}

/** The expression of a block's single `return` (nested functions' returns are theirs); undefined when there are several. */
function onlyReturnedExpression(body: Node): Expression | undefined {
  const returns: ts.Expression[] = [];
  let count = 0;
  // Raw nodes: wrapping every node of a helper's body in ts-morph cost more than reading it.
  const visit = (node: ts.Node): void => {
    if (isFunctionWithBody(node)) return;
    if (ts.isReturnStatement(node)) {
      count++;
      if (node.expression) returns.push(node.expression);
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(body.compilerNode, visit);
  return count === 1 ? wrap(body.getSourceFile(), returns[0]!) : undefined;
}

/** The function-like nodes whose returns are their own (ts-morph's isFunctionLikeDeclaration, arrows and function expressions). */
function isFunctionWithBody(node: ts.Node): boolean {
  switch (node.kind) {
    case ts.SyntaxKind.ArrowFunction:
    case ts.SyntaxKind.FunctionExpression:
    case ts.SyntaxKind.Constructor:
    case ts.SyntaxKind.FunctionDeclaration:
    case ts.SyntaxKind.GetAccessor:
    case ts.SyntaxKind.MethodDeclaration:
    case ts.SyntaxKind.SetAccessor:
      return true;
    default:
      return false;
  }
}

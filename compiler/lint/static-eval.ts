import { ts, type Node } from 'ts-morph';
import { sameValue, truthOf, unknownValue, type AbstractValue } from './abstract-value.ts';
import { jsonModuleValue } from '../analysis/call-graph/json-modules.ts';
import { entriesObject, textMethodValue } from './known-values.ts';
import { wrapInProject } from './find-nodes.ts';
import { isIdemflowDeclaration, isIdemflowModule } from './idemflow-module.ts';
import { rawLocationOf } from './location.ts';
import { callDsl } from './static-dsl.ts';
import { isAbstractMember, overridingValues } from './abstract-members.ts';
import {
  arrayMethodValue,
  bindParameter,
  isEnvironmentRead,
  numberConversion,
  spreadItems,
  straightYields,
} from './assembled-values.ts';

/** Parameter bindings while reading a helper function's body for one call (raw parameter declarations). */
type Env = ReadonlyMap<ts.Node, AbstractValue>;

/** How deep helper calls are followed (`countPerSensor(source.kafka(…))` is one). */
const maxCallDepth = 12;

/** What one `evaluate` call reads with: the checker of the node's program, and a node to wrap functions from. */
interface Reading {
  readonly checker: ts.TypeChecker;
  readonly anchor: Node;
}

/**
 * Reads expressions without running them: literals, objects, constants
 * (across files, through imports), helper functions called with known
 * arguments, and idemflow's DSL calls, which become IR. Everything else is
 * `unknown`. Type-aware: names are resolved with the type checker's symbols.
 *
 * It walks the compiler's own nodes and asks the checker directly: going
 * through ts-morph's wrappers for every node read was most of the lint's
 * time. Only the functions it finds are handed out as ts-morph nodes.
 */
export class StaticEvaluator {
  readonly #declarations = new Map<ts.Node, AbstractValue>();
  #depth = 0;

  evaluate(expression: Node): AbstractValue {
    const program = expression.getProject().getProgram().compilerObject;
    return this.#evaluate(expression.compilerNode, new Map(), {
      checker: program.getTypeChecker(),
      anchor: expression,
    });
  }

  /** An expression of `anchor`'s program read with some parameters bound: a helper's condition, as one call passes them. */
  evaluateBound(expression: ts.Node, bindings: ReadonlyMap<ts.Node, AbstractValue>, anchor: Node): AbstractValue {
    const program = anchor.getProject().getProgram().compilerObject;
    return this.#evaluate(expression, bindings, { checker: program.getTypeChecker(), anchor });
  }

  #evaluate(expression: ts.Node, env: Env, reading: Reading): AbstractValue {
    if (
      ts.isParenthesizedExpression(expression) ||
      ts.isAsExpression(expression) ||
      ts.isSatisfiesExpression(expression) ||
      ts.isNonNullExpression(expression) ||
      ts.isTypeAssertionExpression(expression)
    ) {
      return this.#evaluate(expression.expression, env, reading);
    }
    const literal = literalValue(expression);
    if (literal) return literal;
    if (ts.isPrefixUnaryExpression(expression)) return this.#prefix(expression, env, reading);
    if (ts.isArrowFunction(expression) || ts.isFunctionExpression(expression)) {
      const node = wrapInProject(reading.anchor, expression);
      // A function made inside a call keeps what that call bound: `(s) => s.groupBy(fn)` returned by `keyedBy(fn)`.
      return env.size > 0 ? { type: 'fn', node, captured: env } : { type: 'fn', node };
    }
    if (ts.isObjectLiteralExpression(expression)) return this.#object(expression, env, reading);
    if (ts.isArrayLiteralExpression(expression)) {
      const items = spreadItems(expression.elements, (e) => this.#evaluate(e, env, reading));
      return items ? { type: 'array', items } : unknownValue;
    }
    if (ts.isIdentifier(expression)) return this.#identifier(expression, env, reading);
    if (ts.isPropertyAccessExpression(expression)) {
      if (isOwnModuleNamespace(expression.expression, reading.checker))
        return this.#symbolValue(reading.checker.getSymbolAtLocation(expression.name), env, reading);
      const object = this.#evaluate(expression.expression, env, reading);
      if (object.type === 'unknown') return this.#readonlyField(expression, reading);
      return this.#property(object, expression.name.getText());
    }
    if (ts.isElementAccessExpression(expression)) {
      const key = this.#evaluate(expression.argumentExpression, env, reading);
      return key.type === 'literal' && (typeof key.value === 'string' || typeof key.value === 'number')
        ? this.#property(this.#evaluate(expression.expression, env, reading), String(key.value))
        : unknownValue;
    }
    if (ts.isCallExpression(expression)) return this.#call(expression, env, reading);
    if (ts.isTemplateExpression(expression)) return this.#template(expression, env, reading);
    if (ts.isBinaryExpression(expression)) return this.#binary(expression, env, reading);
    if (ts.isConditionalExpression(expression)) return this.#conditional(expression, env, reading);
    return unknownValue;
  }

  /** `-1`, and `!x` of a value whose truth is known. */
  #prefix(expression: ts.PrefixUnaryExpression, env: Env, reading: Reading): AbstractValue {
    const operand = this.#evaluate(expression.operand, env, reading);
    if (expression.operator === ts.SyntaxKind.MinusToken)
      return operand.type === 'literal' && typeof operand.value === 'number'
        ? { type: 'literal', value: -operand.value }
        : unknownValue;
    const truth = expression.operator === ts.SyntaxKind.ExclamationToken ? truthOf(operand) : undefined;
    return truth === undefined ? unknownValue : { type: 'literal', value: !truth };
  }

  /** `a + b` of known parts, `opts.mode === 'live'` of known literals, and `&&`, `||`, `??` decided by their left. */
  #binary(expression: ts.BinaryExpression, env: Env, reading: Reading): AbstractValue {
    const operator = expression.operatorToken.kind;
    const left = this.#evaluate(expression.left, env, reading);
    const right = () => this.#evaluate(expression.right, env, reading);
    switch (operator) {
      case ts.SyntaxKind.PlusToken:
        return joined([left, right()]);
      case ts.SyntaxKind.AmpersandAmpersandToken:
      case ts.SyntaxKind.BarBarToken: {
        if (operator === ts.SyntaxKind.BarBarToken && left.type === 'unknown' && isEnvironmentRead(expression.left))
          return right();
        const truth = truthOf(left);
        if (truth === undefined) return unknownValue;
        return truth === (operator === ts.SyntaxKind.BarBarToken) ? left : right();
      }
      case ts.SyntaxKind.QuestionQuestionToken:
        if (left.type === 'unknown' && isEnvironmentRead(expression.left)) return right();
        if (left.type === 'literal') return left.value === null || left.value === undefined ? right() : left;
        return truthOf(left) ? left : unknownValue;
      default:
        return compared(operator, left, right());
    }
  }

  /**
   * `cond ? a : b`: the branch a known condition takes; with the condition unknown, the value both branches give
   * when they give the same one (`env === 'test' ? { retry: 'none' } : { retry: 'none' }`), else unknown.
   */
  #conditional(expression: ts.ConditionalExpression, env: Env, reading: Reading): AbstractValue {
    const truth = truthOf(this.#evaluate(expression.condition, env, reading));
    if (truth !== undefined) return this.#evaluate(truth ? expression.whenTrue : expression.whenFalse, env, reading);
    const whenTrue = this.#evaluate(expression.whenTrue, env, reading);
    const whenFalse = this.#evaluate(expression.whenFalse, env, reading);
    return sameValue(whenTrue, whenFalse) ? whenTrue : unknownValue;
  }

  /** `` `UPDATE ${table} SET …` `` with every part known (a helper called with literals): the text it makes. */
  #template(node: ts.TemplateExpression, env: Env, reading: Reading): AbstractValue {
    const parts: AbstractValue[] = [{ type: 'literal', value: node.head.text }];
    for (const span of node.templateSpans)
      parts.push(this.#evaluate(span.expression, env, reading), { type: 'literal', value: span.literal.text });
    return joined(parts);
  }

  #object(node: ts.ObjectLiteralExpression, env: Env, reading: Reading): AbstractValue {
    const props = new Map<string, AbstractValue>();
    let complete = true;
    for (const prop of node.properties) {
      if (ts.isPropertyAssignment(prop)) {
        const name = propertyName(prop.name) ?? this.#computedName(prop.name, env, reading);
        if (name === undefined) complete = false;
        else props.set(name, this.#evaluate(prop.initializer, env, reading));
      } else if (ts.isShorthandPropertyAssignment(prop)) {
        const symbol = reading.checker.getShorthandAssignmentValueSymbol(prop);
        props.set(prop.name.getText(), this.#symbolValue(symbol, env, reading));
      } else if (ts.isMethodDeclaration(prop)) {
        const name = propertyName(prop.name);
        if (name === undefined) complete = false;
        else props.set(name, { type: 'fn', node: wrapInProject(reading.anchor, prop) });
      } else if (ts.isSpreadAssignment(prop)) {
        const spread = this.#evaluate(prop.expression, env, reading);
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

  /** `{ [column]: 'key' }` in a helper called with `'sensor'`: the name the computed key evaluates to, when known. */
  #computedName(name: ts.PropertyName, env: Env, reading: Reading): string | undefined {
    if (!ts.isComputedPropertyName(name)) return undefined;
    const value = this.#evaluate(name.expression, env, reading);
    return value.type === 'literal' && (typeof value.value === 'string' || typeof value.value === 'number')
      ? String(value.value)
      : undefined;
  }

  #identifier(node: ts.Identifier, env: Env, reading: Reading): AbstractValue {
    if (node.getText() === 'undefined') return { type: 'literal', value: undefined };
    // As ts-morph's getSymbol(): a symbol the binder put on the node itself first.
    const bound = (node as ts.Node & { readonly symbol?: ts.Symbol }).symbol;
    return this.#symbolValue(bound ?? reading.checker.getSymbolAtLocation(node), env, reading);
  }

  #symbolValue(symbol: ts.Symbol | undefined, env: Env, reading: Reading): AbstractValue {
    if (!symbol) return unknownValue;
    const own = symbol.declarations?.[0];
    if (own && (ts.isImportSpecifier(own) || ts.isNamespaceImport(own) || ts.isImportClause(own))) {
      const declaration = ts.findAncestor(own.parent, ts.isImportDeclaration);
      if (isIdemflowModule(declaration))
        return { type: 'dsl', name: ts.isImportSpecifier(own) ? own.name.getText() : '*' };
      // Other packages (zod, loggers, drivers) hold no pipeline: not following them into node_modules saves the checker's work.
      if (declaration && !isOwnSpecifier(moduleSpecifierOf(declaration))) return unknownValue;
    }
    const target = symbol.flags & ts.SymbolFlags.Alias ? reading.checker.getAliasedSymbol(symbol) : symbol;
    const declaration = target?.declarations?.[0];
    if (!declaration) return unknownValue;
    if (isIdemflowDeclaration(declaration)) return { type: 'dsl', name: target.getName() };
    if (env.has(declaration)) return env.get(declaration)!;
    return this.#declarationValue(declaration, reading);
  }

  /** The value a declaration gives its name: a const's initializer, or a function. Cached; cycles read as unknown. */
  #declarationValue(declaration: ts.Node, reading: Reading): AbstractValue {
    const cached = this.#declarations.get(declaration);
    if (cached) return cached;
    this.#declarations.set(declaration, unknownValue);
    let value: AbstractValue = unknownValue;
    if (ts.isFunctionDeclaration(declaration)) {
      value = { type: 'fn', node: wrapInProject(reading.anchor, declaration) };
    } else if (ts.isVariableDeclaration(declaration)) {
      if (declaredConst(declaration) && declaration.initializer)
        value = this.#evaluate(declaration.initializer, new Map(), reading);
    } else if (ts.isExportAssignment(declaration)) {
      value = this.#evaluate(declaration.expression, new Map(), reading);
    } else {
      // `import cfg from './cfg.json' with { type: 'json' }`: the configuration the file writes out.
      const json = jsonModuleValue(declaration as unknown as Parameters<typeof jsonModuleValue>[0]);
      if (json) value = this.#evaluate(json, new Map(), reading);
    }
    this.#declarations.set(declaration, value);
    return value;
  }

  /** `Cql.LIKE` of `static readonly LIKE = 'UPDATE …'`, `Grain.Hour` of an enum, `this.insert` of `private readonly insert = '…'`: what the field is given where it is declared. */
  #readonlyField(access: ts.PropertyAccessExpression, reading: Reading): AbstractValue {
    const declaration = reading.checker.getSymbolAtLocation(access.name)?.declarations?.[0];
    // A method of a class of the program handed over as a function (`keys.of`, `LegacyIds.forReading`, `ids.idFor`
    // of an arrow field): the step runs that body, as `check` finds it.
    const method = declaration && classMethodOf(declaration);
    if (method) return { type: 'fn', node: wrapInProject(reading.anchor, method) };
    // `Grain.Minute` of `enum Grain { Minute = 60_000 }`: the member's value, which the checker computes.
    const member =
      declaration && ts.isEnumMember(declaration) ? reading.checker.getConstantValue(declaration) : undefined;
    if (member !== undefined) return { type: 'literal', value: member };
    // `Queries.ADD_SALE` of `namespace Queries { export const ADD_SALE = '…' }`: the const's initializer.
    if (declaration && ts.isVariableDeclaration(declaration) && ts.findAncestor(declaration, ts.isModuleBlock))
      return this.#declarationValue(declaration, reading);
    if (declaration && isAbstractMember(declaration)) return this.#overridden(declaration, reading);
    if (!declaration || !ts.isPropertyDeclaration(declaration)) return unknownValue;
    const given = declaration.initializer ?? staticBlockAssignment(declaration);
    const readonly = ts.getCombinedModifierFlags(declaration) & ts.ModifierFlags.Readonly;
    return given && (readonly || !declaration.initializer) ? this.#evaluate(given, new Map(), reading) : unknownValue;
  }

  /** `this.windowMinutes` of an abstract getter or field: the value every subclass the program makes gives it, when they agree. */
  #overridden(member: ts.PropertyDeclaration | ts.GetAccessorDeclaration, reading: Reading): AbstractValue {
    const program = reading.anchor.getProject().getProgram().compilerObject;
    const given = overridingValues(member, program);
    return given ? this.#oneOf(given, new Map(), reading) : unknownValue;
  }

  #property(object: AbstractValue, name: string): AbstractValue {
    if (object.type === 'dsl') return { type: 'dsl', name: object.name === '*' ? name : `${object.name}.${name}` };
    if (object.type === 'object') return object.props.get(name) ?? unknownValue;
    return { type: 'unknown' };
  }

  #call(call: ts.CallExpression, env: Env, reading: Reading): AbstractValue {
    const callee = call.expression;
    // Arguments are read only when the callee is something we follow: most calls (zod, loggers) are not.
    const args = () => call.arguments.map((a) => this.#evaluate(a, env, reading));
    if (ts.isPropertyAccessExpression(callee) && isOwnModuleNamespace(callee.expression, reading.checker)) {
      const fn = this.#symbolValue(reading.checker.getSymbolAtLocation(callee.name), env, reading);
      return fn.type === 'fn' ? this.#invoke(fn, args(), reading) : unknownValue;
    }
    if (callee.getText().replace(/\s+/g, '') === 'Object.assign') return merged(args());
    if (callee.getText().replace(/\s+/g, '') === 'Object.fromEntries') return entriesObject(args()[0]);
    if (ts.isPropertyAccessExpression(callee)) {
      const receiver = this.#evaluate(callee.expression, env, reading);
      const method = callee.name.getText();
      if (receiver.type === 'literal') return textMethodValue(receiver, method, args()) ?? unknownValue;
      if (receiver.type === 'unknown') return unknownValue;
      // `keys.of.bind(keys)` runs the body of `keys.of`.
      if (method === 'bind' && receiver.type === 'fn') return receiver;
      const values = args();
      if (receiver.type === 'array' && method === 'join') return joinedItems(receiver.items, values[0]);
      const mapped =
        receiver.type === 'array' &&
        arrayMethodValue(receiver.items, method, values, (fn, given) => this.#invoke(fn, given, reading));
      if (mapped) return mapped;
      const dsl = callDsl(receiver, method, values, { location: rawLocationOf(callee.name) });
      if (dsl) return dsl;
      return this.#invoke(this.#property(receiver, method), values, reading);
    }
    const converted =
      ts.isIdentifier(callee) && isGlobal(callee, reading.checker) && numberConversion(callee.text, args());
    if (converted) return converted;
    const fn = this.#evaluate(callee, env, reading);
    if (fn.type === 'dsl')
      return callDsl(undefined, fn.name, args(), { location: rawLocationOf(callee) }) ?? unknownValue;
    return fn.type === 'fn' ? this.#invoke(fn, args(), reading) : unknownValue;
  }

  /** Reads a helper's body with its parameters bound to the arguments: `(r) => r.groupBy('k').count()`. */
  #invoke(fn: AbstractValue, args: readonly AbstractValue[], reading: Reading): AbstractValue {
    if (fn.type !== 'fn' || this.#depth >= maxCallDepth) return unknownValue;
    const node = fn.node.compilerNode;
    // A method of an object literal (`Q.incr(table, column)`) is read like a function: `this` in it stays unknown.
    if (!(
      ts.isArrowFunction(node) ||
      ts.isFunctionExpression(node) ||
      ts.isFunctionDeclaration(node) ||
      ts.isMethodDeclaration(node)
    ))
      return unknownValue;
    const env = new Map<ts.Node, AbstractValue>(fn.captured as ReadonlyMap<ts.Node, AbstractValue> | undefined);
    node.parameters.forEach((p, i) => bindParameter(p, args[i] ?? { type: 'literal', value: undefined }, env));
    const body = node.body;
    if (!body) return unknownValue;
    if (node.asteriskToken) return this.#yielded(body, env, reading);
    const returned = ts.isBlock(body) ? returnedExpressions(body) : [body];
    if (returned.length === 0) return unknownValue;
    this.#depth++;
    try {
      return this.#oneOf(returned, env, reading);
    } finally {
      this.#depth--;
    }
  }

  /** `[...stages()]` of a generator yielding stage after stage: the array of what it yields, in order. */
  #yielded(body: ts.Node, env: Env, reading: Reading): AbstractValue {
    const yielded = ts.isBlock(body) ? straightYields(body) : undefined;
    if (!yielded) return unknownValue;
    this.#depth++;
    try {
      return { type: 'array', items: yielded.map((y) => this.#evaluate(y, env, reading)) };
    } finally {
      this.#depth--;
    }
  }

  /** A helper's possible returns: the value when every one gives the same (both branches `{ retry: 'none' }`). */
  #oneOf(returned: readonly ts.Expression[], env: Env, reading: Reading): AbstractValue {
    const first = this.#evaluate(returned[0]!, env, reading);
    for (const other of returned.slice(1))
      if (!sameValue(first, this.#evaluate(other, env, reading))) return unknownValue;
    return first;
  }
}

/** `===`, `!==`, `==`, `!=` of two known literals; anything else, or an unknown side, is unknown. */
function compared(operator: ts.SyntaxKind, left: AbstractValue, right: AbstractValue): AbstractValue {
  if (left.type !== 'literal' || right.type !== 'literal') return unknownValue;
  switch (operator) {
    case ts.SyntaxKind.EqualsEqualsEqualsToken:
      return { type: 'literal', value: left.value === right.value };
    case ts.SyntaxKind.ExclamationEqualsEqualsToken:
      return { type: 'literal', value: left.value !== right.value };
    case ts.SyntaxKind.EqualsEqualsToken:
      return { type: 'literal', value: left.value == right.value };
    case ts.SyntaxKind.ExclamationEqualsToken:
      return { type: 'literal', value: left.value != right.value };
    default:
      return unknownValue;
  }
}

/** Strings and numbers joined as `+` and templates join them, when all are known and one is a string. */
function joined(parts: readonly AbstractValue[]): AbstractValue {
  let text = '';
  let anyString = false;
  for (const part of parts) {
    if (part.type !== 'literal' || (typeof part.value !== 'string' && typeof part.value !== 'number'))
      return unknownValue;
    anyString ||= typeof part.value === 'string';
    text += String(part.value);
  }
  return anyString ? { type: 'literal', value: text } : unknownValue;
}

/** `['UPDATE t', 'SET c = c + ?', 'WHERE k = ?'].join(' ')`: the text, when every item and the separator are known. */
function joinedItems(items: readonly AbstractValue[], separator: AbstractValue | undefined): AbstractValue {
  const between: AbstractValue = separator ?? { type: 'literal', value: ',' };
  if (between.type !== 'literal' || typeof between.value !== 'string') return unknownValue;
  const parts = items.flatMap((item, i) => (i === 0 ? [item] : [between, item]));
  return joined(parts.length > 0 ? parts : [{ type: 'literal', value: '' }]);
}

/** A literal's value, as ts-morph's getLiteralValue reads it; undefined for anything else. */
function literalValue(node: ts.Node): AbstractValue | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node))
    return { type: 'literal', value: node.text };
  if (ts.isNumericLiteral(node)) return { type: 'literal', value: numberOf(node) };
  if (node.kind === ts.SyntaxKind.TrueKeyword) return { type: 'literal', value: true };
  if (node.kind === ts.SyntaxKind.FalseKeyword) return { type: 'literal', value: false };
  if (node.kind === ts.SyntaxKind.NullKeyword) return { type: 'literal', value: null };
  return undefined;
}

const numberOf = (node: ts.NumericLiteral) =>
  node.text.includes('.') ? parseFloat(node.text) : parseInt(node.text, 10);

/** `const` only (not let, var, using): ts-morph's getDeclarationKind() === 'const'. */
function declaredConst(declaration: ts.VariableDeclaration): boolean {
  const list = declaration.parent;
  if (!ts.isVariableDeclarationList(list) || !ts.isVariableStatement(list.parent)) return false;
  const blockScoped: ts.NodeFlags = list.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const | ts.NodeFlags.Using);
  return blockScoped === ts.NodeFlags.Const;
}

/** `Number` of JavaScript's globals (declared in the compiler's lib files), not a function of the program with that name. */
function isGlobal(name: ts.Identifier, checker: ts.TypeChecker): boolean {
  const file = checker.getSymbolAtLocation(name)?.declarations?.[0]?.getSourceFile();
  return file !== undefined && file.isDeclarationFile && /(^|\/)lib\.[\w.]+\.d\.ts$/.test(file.fileName);
}

/** `helpers` of `import * as helpers from './helpers.ts'`: a module of the program, whose members are read by name. */
/**
 * `static BUMP: string; static { Cql.BUMP = '…' }`: the value a static field without an initializer is given
 * by its class's static block, when that is the one assignment to it in its module (set once, as the class loads).
 */
function staticBlockAssignment(field: ts.PropertyDeclaration): ts.Expression | undefined {
  const owner = field.parent;
  const name = field.name;
  if (!ts.isClassDeclaration(owner) || !owner.name || !ts.isIdentifier(name)) return undefined;
  if (!(ts.getCombinedModifierFlags(field) & ts.ModifierFlags.Static)) return undefined;
  const assigned: ts.BinaryExpression[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isPropertyAccessExpression(node.left) &&
      node.left.name.text === name.text &&
      [owner.name!.text, 'this'].includes(node.left.expression.getText())
    )
      assigned.push(node);
    ts.forEachChild(node, visit);
  };
  visit(field.getSourceFile());
  const only = assigned.length === 1 ? assigned[0] : undefined;
  return only && ts.findAncestor(only, ts.isClassStaticBlockDeclaration)?.parent === owner ? only.right : undefined;
}

function isOwnModuleNamespace(node: ts.Expression, checker: ts.TypeChecker): boolean {
  if (!ts.isIdentifier(node)) return false;
  const own = checker.getSymbolAtLocation(node)?.declarations?.[0];
  if (!own || !ts.isNamespaceImport(own)) return false;
  const declaration = ts.findAncestor(own.parent, ts.isImportDeclaration);
  return declaration !== undefined && isOwnSpecifier(moduleSpecifierOf(declaration)) && !isIdemflowModule(declaration);
}

/** `./ids.ts`, and `#lib/ids` of the package.json `imports` map: the program's own modules, not a package's. */
const isOwnSpecifier = (specifier: string) => specifier.startsWith('.') || specifier.startsWith('#');

function moduleSpecifierOf(declaration: ts.ImportDeclaration): string {
  return (declaration.moduleSpecifier as ts.StringLiteral).text;
}

function propertyName(name: ts.Node): string | undefined {
  if (ts.isIdentifier(name)) return name.getText();
  if (ts.isStringLiteral(name)) return name.text;
  if (ts.isNumericLiteral(name)) return String(numberOf(name));
  return undefined;
}

/** The expressions of a block's `return`s (nested functions' returns are theirs); none when one returns nothing. */
function returnedExpressions(body: ts.Block): ts.Expression[] {
  const returns: ts.Expression[] = [];
  let bare = false;
  const visit = (node: ts.Node): void => {
    if (isFunctionWithBody(node)) return;
    if (ts.isReturnStatement(node)) {
      if (node.expression) returns.push(node.expression);
      else bare = true;
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(body, visit);
  return bare ? [] : returns;
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

/** A class's method with a body, or an arrow or function expression a class field holds: a function of the program. */
function classMethodOf(declaration: ts.Declaration): ts.Node | undefined {
  if (ts.isMethodDeclaration(declaration) && ts.isClassLike(declaration.parent) && declaration.body) return declaration;
  if (!ts.isPropertyDeclaration(declaration) || !declaration.initializer) return undefined;
  const value = declaration.initializer;
  return ts.isArrowFunction(value) || ts.isFunctionExpression(value) ? value : undefined;
}

/** `Object.assign({}, base, { name, write })`: the objects merged, later properties winning; unknown if one is not an object. */
function merged(parts: readonly AbstractValue[]): AbstractValue {
  const props = new Map<string, AbstractValue>();
  let complete = true;
  for (const part of parts) {
    if (part.type !== 'object') return unknownValue;
    for (const [k, v] of part.props) props.set(k, v);
    complete &&= part.complete;
  }
  return { type: 'object', props, complete };
}

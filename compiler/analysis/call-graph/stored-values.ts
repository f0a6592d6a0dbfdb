import ts from 'typescript';
import { lookupTable } from '../lookup-table.ts';
import type { ParameterArguments } from './call-sites.ts';
import { symbolOf, unwrap } from './resolve.ts';

/** Methods that put a value into a container, and which of their arguments they store. */
const storing = lookupTable<'last' | 'all'>({ set: 'last', push: 'all', unshift: 'all', add: 'all' });

const isThis = (node: ts.Expression) => unwrap(node).kind === ts.SyntaxKind.ThisKeyword;

/** The container a receiver names, as a symbol: a field of `this` (`this.routes`) or a variable (`registry`). */
function containerOf(receiver: ts.Expression, checker: ts.TypeChecker): ts.Symbol | undefined {
  const node = unwrap(receiver);
  if (ts.isPropertyAccessExpression(node) && isThis(node.expression)) return checker.getSymbolAtLocation(node.name);
  if (!ts.isIdentifier(node)) return undefined;
  const symbol = symbolOf(node, checker);
  return symbol?.valueDeclaration && ts.isVariableDeclaration(symbol.valueDeclaration) ? symbol : undefined;
}

/** Where stores into a container are looked for: its class for a field, its module for a variable. */
function scopeOf(container: ts.Symbol): ts.Node | undefined {
  const declaration = container.valueDeclaration;
  if (!declaration) return undefined;
  if (ts.isPropertyDeclaration(declaration) || ts.isParameter(declaration))
    return ts.findAncestor(declaration, ts.isClassLike);
  return ts.isVariableDeclaration(declaration) ? declaration.getSourceFile() : undefined;
}

/** The values `node` stores into `container`: `c.set(k, v)`, `c.push(v, w)`, `c.add(v)`, `c[k] = v`. */
function storedBy(node: ts.Node, container: ts.Symbol, checker: ts.TypeChecker): readonly ts.Expression[] {
  if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
    const how = storing[node.expression.name.text];
    if (!how || node.arguments.length === 0 || containerOf(node.expression.expression, checker) !== container)
      return [];
    return how === 'last' ? [node.arguments[node.arguments.length - 1]!] : node.arguments;
  }
  if (
    ts.isBinaryExpression(node) &&
    node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
    ts.isElementAccessExpression(node.left) &&
    containerOf(node.left.expression, checker) === container
  )
    return [node.right];
  return [];
}

const cache = new WeakMap<ts.Symbol, readonly ts.Expression[]>();

/**
 * What a container is given at run time, where the program writes it: a
 * registry filled by `router.on(topic, fn)` that does `this.routes.set(topic,
 * fn)`, `handlers.push(fn)`, `table[kind] = fn`. A stored parameter is what
 * the program passes for it (`.on('downloads', countDownload)` stores
 * `countDownload`). Stores are looked for in the field's class, or the
 * variable's module; a container written elsewhere gives only what is found
 * there. A handler that later calls from the container may call any of them.
 */
export function storedValues(
  receiver: ts.Expression,
  checker: ts.TypeChecker,
  passed: ParameterArguments | undefined,
): readonly ts.Expression[] {
  const container = containerOf(receiver, checker);
  const scope = container && scopeOf(container);
  if (!container || !scope) return [];
  const known = cache.get(container);
  if (known) return known;
  const found: ts.Expression[] = [];
  const visit = (node: ts.Node): void => {
    for (const value of storedBy(node, container, checker)) found.push(...passedFor(value, checker, passed));
    ts.forEachChild(node, visit);
  };
  visit(scope);
  cache.set(container, found);
  return found;
}

/** A parameter stored as it came (`this.routes.set(topic, handler)`): what the program passes for it; else the value. */
function passedFor(
  value: ts.Expression,
  checker: ts.TypeChecker,
  passed: ParameterArguments | undefined,
): readonly ts.Expression[] {
  const node = unwrap(value);
  const declaration = ts.isIdentifier(node) ? symbolOf(node, checker)?.valueDeclaration : undefined;
  if (!declaration || !ts.isParameter(declaration)) return [value];
  return passed?.of(declaration) ?? [];
}

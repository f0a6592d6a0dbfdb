import ts from 'typescript';
import { Node, type CallExpression } from 'ts-morph';
import { isFunctionNode, resolveCallee, resolveName, unwrap } from '../../analysis/call-graph/resolve.ts';

/**
 * `await Promise.race([write(m), sleep(3_000)])`: a write raced against a timer that resolves. When the
 * timer wins, the race settles, the handler returns, and kafkajs commits while the write is still in
 * flight. A timer that rejects (`new Promise((_, reject) => setTimeout(() => reject(…), ms))`) fails the
 * handler instead: the message comes again, so that race waits for the write or throws.
 */
export function racedWrite(
  race: CallExpression,
  isWrite: (call: CallExpression) => boolean,
): { write: CallExpression; timer: Node } | undefined {
  if (race.getExpression().getText().replace(/\s+/g, '') !== 'Promise.race') return undefined;
  const list = race.getArguments()[0];
  if (!list || !Node.isArrayLiteralExpression(list)) return undefined;
  const entries = list.getElements();
  const write = entries.find((e): e is CallExpression => Node.isCallExpression(e) && isWrite(e));
  const timer = entries.find((e) => e !== write && resolvesOnTimer(e));
  return write && timer ? { write, timer } : undefined;
}

/** Names of the packages' and programs' promise timers that resolve (`timers/promises` setTimeout, `delay`). */
const timerNames = /^(setTimeout|sleep|delay|wait|pause|timeout)$/i;

/** A promise that resolves when a timer fires: a timer call, a function of the program that makes one, or an inline `new Promise`. */
function resolvesOnTimer(entry: Node): boolean {
  if (Node.isNewExpression(entry)) return entry.getExpression().getText() === 'Promise' && resolvingTimer(entry);
  if (!Node.isCallExpression(entry)) return false;
  const callee = entry.getExpression();
  const name = Node.isPropertyAccessExpression(callee) ? callee.getName() : callee.getText();
  const declaration = (Node.isPropertyAccessExpression(callee) ? callee.getNameNode() : callee)
    .getSymbol()
    ?.getDeclarations()[0];
  const body = declaration && programFunctionOf(declaration);
  if (body) return resolvingTimer(body);
  return timerNames.test(name);
}

/** The function a declaration gives, when the program writes it (not a package's `.d.ts`). */
function programFunctionOf(declaration: Node): Node | undefined {
  if (declaration.getSourceFile().isDeclarationFile() || declaration.getSourceFile().isInNodeModules())
    return undefined;
  const value = Node.isVariableDeclaration(declaration) ? declaration.getInitializer() : declaration;
  return value && (Node.isArrowFunction(value) || Node.isFunctionExpression(value) || Node.isFunctionDeclaration(value))
    ? value
    : undefined;
}

/** Text that sets a timer and never rejects or throws: it can only resolve. */
const onlyResolvesOnTimer = (text: string) =>
  /\bsetTimeout\s*\(/.test(text) && !/\breject\b|\bthrow\b|Promise\.reject/.test(text);
const resolvingTimer = (node: Node) => onlyResolvesOnTimer(node.getText());

/** How many hops (a const, a function of the program) a timer is followed through. */
const maxHops = 3;

/** Is `expression` a promise that resolves when a timer fires: `sleep(3000)`, `new Promise((r) => setTimeout(r, ms))`, a const holding one? */
function isResolvingTimer(expression: ts.Expression, checker: ts.TypeChecker, hops = 0): boolean {
  const node = unwrap(expression);
  if (ts.isNewExpression(node)) return node.expression.getText() === 'Promise' && onlyResolvesOnTimer(node.getText());
  if (hops >= maxHops) return false;
  if (ts.isIdentifier(node)) {
    const resolved = resolveName(node, checker);
    const init = resolved.kind === 'variable' ? resolved.node.initializer : undefined;
    return init !== undefined && isResolvingTimer(init, checker, hops + 1);
  }
  if (!ts.isCallExpression(node)) return false;
  const resolved = resolveCallee(node, checker);
  if (resolved.kind === 'function')
    return resolved.node.body !== undefined && onlyResolvesOnTimer(resolved.node.getText());
  // A package's timer (`setTimeout` of node:timers/promises, `delay`): judged by its name, as racedWrite does.
  const name = ts.isPropertyAccessExpression(node.expression) ? node.expression.name : node.expression;
  return timerNames.test(name.getText());
}

/** `Promise.race([...])` with a timer that resolves among its elements: the other elements. */
function racedBesideTimer(call: ts.CallExpression, checker: ts.TypeChecker): ts.Expression[] {
  if (!/^Promise\.race$/.test(call.expression.getText())) return [];
  const list = call.arguments[0] && unwrap(call.arguments[0]);
  if (!list || !ts.isArrayLiteralExpression(list)) return [];
  const timers = list.elements.filter((e) => isResolvingTimer(e, checker));
  return timers.length > 0 ? list.elements.filter((e) => !timers.includes(e)) : [];
}

/** The parameter indexes a function of the program races with a resolving timer (`withTimeout(work, ms)`). */
function racedParameters(fn: ts.FunctionLikeDeclaration, checker: ts.TypeChecker): number[] {
  const raced: number[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node))
      for (const element of racedBesideTimer(node, checker)) {
        const name = unwrap(element);
        const index = fn.parameters.findIndex((p) => ts.isIdentifier(name) && p.name.getText() === name.text);
        if (index >= 0) raced.push(index);
      }
    ts.forEachChild(node, visit);
  };
  if (fn.body && fn.body.getText().includes('race')) visit(fn.body);
  return raced;
}

/** The writes in an expression (the expression itself, or calls inside it outside nested functions). */
function writesOf(expression: ts.Expression, isWrite: (call: ts.CallExpression) => boolean): ts.CallExpression[] {
  const found: ts.CallExpression[] = [];
  const visit = (node: ts.Node): void => {
    if (isFunctionNode(node)) return;
    if (ts.isCallExpression(node) && isWrite(node)) found.push(node);
    else ts.forEachChild(node, visit);
  };
  visit(expression);
  return found;
}

/**
 * The writes `call` hands to a function of the program that races that
 * parameter with a timer that resolves (`withTimeout(client.execute(…),
 * 2000)` with `Promise.race([work, expired])` inside): the race is the
 * helper's, the loss the caller's. A race written out is `racedWrite`'s.
 */
export function writesRacedByHelper(
  call: ts.CallExpression,
  checker: ts.TypeChecker,
  isWriteName: (name: string) => boolean,
): ts.CallExpression[] {
  if (call.arguments.length === 0) return [];
  const isWrite = (c: ts.CallExpression) => {
    const callee = unwrap(c.expression);
    return ts.isPropertyAccessExpression(callee) && isWriteName(callee.name.text);
  };
  const resolved = resolveCallee(call, checker);
  if (resolved.kind !== 'function') return [];
  return racedParameters(resolved.node, checker).flatMap((i) =>
    call.arguments[i] ? writesOf(call.arguments[i], isWrite) : [],
  );
}

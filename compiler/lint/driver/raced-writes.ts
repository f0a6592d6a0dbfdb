import { Node, type CallExpression } from 'ts-morph';

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
const resolvingTimer = (node: Node) => {
  const text = node.getText();
  return /\bsetTimeout\s*\(/.test(text) && !/\breject\b|\bthrow\b|Promise\.reject/.test(text);
};

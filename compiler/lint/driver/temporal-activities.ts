import { Node, SyntaxKind, type CallExpression, type Project } from 'ts-morph';

/** Temporal's workflow functions that call activities through a proxy, and retry them by the proxy's policy. */
const proxyNames = /(^|\.)(proxyActivities|proxyLocalActivities)$/;

/** `proxyActivities<…>(…)` calls of a program, found once a project. */
const proxiesOf = new WeakMap<Project, CallExpression[]>();

function proxyCalls(project: Project): CallExpression[] {
  let calls = proxiesOf.get(project);
  if (calls) return calls;
  calls = project
    .getSourceFiles()
    .filter((f) => !f.isDeclarationFile() && !f.isInNodeModules() && f.getFullText().includes('Activities'))
    .flatMap((f) => f.getDescendants().filter(Node.isCallExpression))
    .filter((c) => proxyNames.test(c.getExpression().getText()));
  proxiesOf.set(project, calls);
  return calls;
}

/** A property of an object literal written out, by name: its value. */
function propertyValue(object: Node | undefined, name: string): Node | undefined {
  if (!object || !Node.isObjectLiteralExpression(object)) return undefined;
  const property = object.getProperty(name);
  return property && Node.isPropertyAssignment(property) ? property.getInitializer() : undefined;
}

/** Temporal retries an activity until its policy says stop: unlimited by default; `maximumAttempts: 1` runs it once. */
function retriesActivities(call: CallExpression): boolean {
  const maximum = propertyValue(propertyValue(call.getArguments()[0], 'retry'), 'maximumAttempts');
  return maximum?.getText() !== '1';
}

/** What `proxyActivities<typeof X>` proxies: a module (`import type * as X`) or an object of activities (`export const X = { … }`). */
function proxiedActivities(call: CallExpression): Node | undefined {
  const type = call.getTypeArguments()[0];
  if (!type || !Node.isTypeQuery(type)) return undefined;
  const symbol = type.getExprName().getSymbol();
  const declaration = (symbol?.isAlias() ? symbol.getAliasedSymbol() : symbol)?.getDeclarations()[0];
  if (declaration && Node.isVariableDeclaration(declaration)) return declaration.getInitializer();
  return declaration && Node.isSourceFile(declaration) ? declaration : undefined;
}

/** Is `fn` one of the activities `holder` holds: an exported function of the module, or a method of the object? */
function isActivityOf(fn: Node, holder: Node): boolean {
  if (Node.isSourceFile(holder)) {
    if (fn.getSourceFile() !== holder) return false;
    if (Node.isFunctionDeclaration(fn)) return fn.isExported() && fn.getParent() === holder;
    const declaration = fn.getParentIfKind(SyntaxKind.VariableDeclaration);
    return (
      declaration?.getVariableStatement()?.isExported() === true &&
      declaration.getVariableStatement()?.getParent() === holder
    );
  }
  const member = Node.isMethodDeclaration(fn) ? fn : fn.getParent();
  if (member?.getParent() === holder) return true;
  // `{ recordPayment }` / `{ pay: recordPayment }`: a function of the module named in the object.
  const named = Node.isFunctionDeclaration(fn)
    ? fn.getNameNode()
    : fn.getParentIfKind(SyntaxKind.VariableDeclaration)?.getNameNode();
  if (!named || !Node.isObjectLiteralExpression(holder)) return false;
  return holder.getProperties().some((p) => {
    const value = Node.isShorthandPropertyAssignment(p)
      ? p.getValueSymbol()
      : Node.isPropertyAssignment(p)
        ? p.getInitializer()?.getSymbol()
        : undefined;
    return value !== undefined && value === named.getSymbol();
  });
}

/**
 * A Temporal activity around `node` (unseen round 10, U10D): a function of the module or object that a
 * workflow's `proxyActivities<typeof activities>(options)` proxies. Temporal runs an activity again when
 * an attempt fails or times out — by default without limit, else until `retry.maximumAttempts` — with the
 * same arguments; an attempt that timed out may have written.
 */
export function temporalActivityAround(node: Node): { describe: string; at: Node } | undefined {
  const fn = node
    .getAncestors()
    .find(
      (a) =>
        Node.isFunctionDeclaration(a) ||
        Node.isMethodDeclaration(a) ||
        Node.isArrowFunction(a) ||
        Node.isFunctionExpression(a),
    );
  if (!fn) return undefined;
  for (const call of proxyCalls(node.getProject())) {
    const holder = proxiedActivities(call);
    if (!holder || !isActivityOf(fn, holder) || !retriesActivities(call)) continue;
    const where = `${call.getSourceFile().getBaseName()}:${call.getStartLineNumber()}`;
    return { describe: `a Temporal activity, retried by the proxyActivities of ${where}`, at: fn };
  }
  return undefined;
}

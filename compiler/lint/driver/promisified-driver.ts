import { Node, ts, type CallExpression, type Project, type SourceFile } from 'ts-morph';
import { callsWhere } from '../find-nodes.ts';
import { constInitializer } from './cql-text.ts';

/** A driver method turned into a function of its own, and the client it was taken from. */
export interface PromisifiedMethod {
  readonly method: string;
  readonly receiver: Node;
}

/** Names of consts the program sets to `promisify(…)` or `….bind(…)`: only calls of these are read. */
const namesPerProject = new WeakMap<Project, ReadonlySet<string>>();

function candidateNames(project: Project): ReadonlySet<string> {
  let names = namesPerProject.get(project);
  if (!names) {
    const found = new Set<string>();
    const pattern = /\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*(?:[\w$.]*promisify\(|[\w$.]+\.bind\()/g;
    for (const file of project.getSourceFiles())
      for (const match of file.getFullText().matchAll(pattern)) found.add(match[1]!);
    namesPerProject.set(project, (names = found));
  }
  return names;
}

/** `client.execute.bind(client)`, `client.execute`, as `{ method, receiver }`. */
function methodTaken(node: Node | undefined): PromisifiedMethod | undefined {
  let at = node;
  if (at && Node.isCallExpression(at)) {
    const callee = at.getExpression();
    if (!Node.isPropertyAccessExpression(callee) || callee.getName() !== 'bind') return undefined;
    at = callee.getExpression();
  }
  return at && Node.isPropertyAccessExpression(at) ? { method: at.getName(), receiver: at.getExpression() } : undefined;
}

/**
 * `const exec = promisify(client.execute.bind(client))` (util's or
 * bluebird's `promisify`), or `const exec = client.execute.bind(client)`:
 * the method a call of `exec(…)` sends with, found through imports.
 */
export function promisifiedMethod(call: CallExpression): PromisifiedMethod | undefined {
  const callee = call.getExpression();
  if (!Node.isIdentifier(callee)) return undefined;
  let init = constInitializer(callee);
  // `promisify(…) as (q: string, p: unknown[]) => Promise<ResultSet>`: typed drivers cast what promisify returns.
  while (
    init &&
    (Node.isAsExpression(init) || Node.isSatisfiesExpression(init) || Node.isParenthesizedExpression(init))
  )
    init = init.getExpression();
  if (!init || !Node.isCallExpression(init)) return undefined;
  const made = init.getExpression();
  const promisified = /(^|\.)promisify$/.test(made.getText()) ? init.getArguments()[0] : init;
  return methodTaken(promisified);
}

/** The calls of a file made through such a name. */
export function promisifiedCalls(file: SourceFile): CallExpression[] {
  const names = candidateNames(file.getProject());
  if (names.size === 0) return [];
  return callsWhere(file, (n) => ts.isIdentifier(n.expression) && names.has(n.expression.text));
}

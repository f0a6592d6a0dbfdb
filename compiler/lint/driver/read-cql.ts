import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Node, SyntaxKind } from 'ts-morph';

/** Files larger than this are not statement files: they are not read. */
const maxBytes = 64 * 1024;

/** The text of a file of the program, by a path relative to `from`'s folder; undefined when it is none. */
function fileText(from: Node, relative: string): string | undefined {
  if (!relative.startsWith('.')) return undefined;
  const path = resolve(dirname(from.getSourceFile().getFilePath()), relative);
  if (!existsSync(path) || !statSync(path).isFile() || statSync(path).size > maxBytes) return undefined;
  return readFileSync(path, 'utf8');
}

/** `'./add.cql'`, `new URL('./add.cql', import.meta.url)`, `join(__dirname, 'add.cql')`: the relative path a read names. */
function relativePathOf(node: Node | undefined): string | undefined {
  if (!node) return undefined;
  if (Node.isStringLiteral(node) || Node.isNoSubstitutionTemplateLiteral(node)) return node.getLiteralValue();
  if (Node.isNewExpression(node) && node.getExpression().getText() === 'URL') {
    const [path, base] = node.getArguments();
    return base?.getText() === 'import.meta.url' ? relativePathOf(path) : undefined;
  }
  if (!Node.isCallExpression(node) || !/(^|\.)(join|resolve)$/.test(node.getExpression().getText())) return undefined;
  const [folder, ...parts] = node.getArguments();
  const here = ['__dirname', 'import.meta.dirname'].includes(folder?.getText() ?? '');
  const names = parts.map((p) => (Node.isStringLiteral(p) ? p.getLiteralValue() : undefined));
  return here && names.every((n) => n !== undefined) ? `./${names.join('/')}` : undefined;
}

/**
 * A statement kept in a file of the program and read at run time (unseen round 10, U10D):
 * `readFileSync(new URL('./add-hit.cql', import.meta.url), 'utf8')`, also `await readFile(…)`
 * of fs/promises and `join(__dirname, 'add-hit.cql')`. The lint reads the file; it runs nothing.
 */
export function readFileCql(node: Node): string | undefined {
  const call = Node.isAwaitExpression(node) ? node.getExpression() : node;
  if (!Node.isCallExpression(call)) return undefined;
  const callee = call.getExpression().getText().split('.').pop();
  if (callee !== 'readFileSync' && callee !== 'readFile') return undefined;
  const path = relativePathOf(call.getArguments()[0]);
  return path === undefined ? undefined : fileText(call, path);
}

/** The relative `.json` module an imported name stands for (`import queries from './queries.json'`), and the name's path in it. */
function jsonImportOf(name: Node): string | undefined {
  const declaration = name.getSymbol()?.getDeclarations()[0];
  const from = declaration?.getFirstAncestorByKind(SyntaxKind.ImportDeclaration);
  const specifier = from?.getModuleSpecifierValue();
  const whole = Node.isImportClause(declaration) || Node.isNamespaceImport(declaration);
  return whole && specifier?.endsWith('.json') ? specifier : undefined;
}

/**
 * `queries.addHit` (or `queries['addHit']`) of `import queries from './queries.json'`: the statement a
 * JSON file of the program holds under that path (unseen round 10, U10D).
 */
export function jsonImportCql(node: Node): string | undefined {
  const path: string[] = [];
  let at = node;
  for (;;) {
    const key = Node.isElementAccessExpression(at) ? at.getArgumentExpression() : undefined;
    if (Node.isPropertyAccessExpression(at)) path.unshift(at.getName());
    else if (Node.isElementAccessExpression(at) && key && Node.isStringLiteral(key))
      path.unshift(key.getLiteralValue());
    else break;
    at = at.getExpression();
  }
  const specifier = Node.isIdentifier(at) && path.length > 0 ? jsonImportOf(at) : undefined;
  const text = specifier && fileText(at, specifier);
  if (!text) return undefined;
  try {
    let value: unknown = JSON.parse(text);
    for (const key of path) value = (value as Record<string, unknown> | null)?.[key];
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

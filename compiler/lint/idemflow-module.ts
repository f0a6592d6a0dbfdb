import { dirname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ts } from 'ts-morph';

/** This copy of idemflow's DSL folder: imports that resolve into it are the DSL. */
const dslDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../dsl') + sep;
// An installed idemflow's declarations are under dist/ (built), a clone's under dsl/.
const installedDsl = [
  `${sep}node_modules${sep}idemflow${sep}dist${sep}dsl${sep}`,
  `${sep}node_modules${sep}idemflow${sep}dsl${sep}`,
];

/** `import … from 'idemflow'`, or a relative import of this repository's DSL folder. */
export function isIdemflowModule(declaration: ts.ImportDeclaration | undefined): boolean {
  if (!declaration) return false;
  const specifier = (declaration.moduleSpecifier as ts.StringLiteral).text;
  if (specifier === 'idemflow') return true;
  if (!specifier.startsWith('.')) return false;
  return resolve(dirname(declaration.getSourceFile().fileName), specifier).startsWith(dslDir);
}

/** A declaration inside the DSL's own files, reached through re-exports. */
export function isIdemflowDeclaration(declaration: ts.Node): boolean {
  const file = declaration.getSourceFile().fileName;
  return file.startsWith(dslDir) || installedDsl.some((dir) => file.includes(dir));
}

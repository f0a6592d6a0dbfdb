import ts from 'typescript';
import { functionName } from './call-sites.ts';
import { isLibraryFile } from './package-exports.ts';
import { isFunctionNode, symbolOf } from './resolve.ts';

/** A use of the function's name that runs it only at load: a call outside any function, or an import or export. */
function usedAtLoad(id: ts.Identifier): boolean {
  const parent = id.parent;
  if (ts.isImportSpecifier(parent) || ts.isExportSpecifier(parent) || ts.isImportClause(parent)) return true;
  if (ts.isFunctionDeclaration(parent) && parent.name === id) return true; // an overload's signature
  return (
    ts.isCallExpression(parent) && parent.expression === id && ts.findAncestor(parent, isFunctionNode) === undefined
  );
}

/**
 * `prefix = env` in `configure(env)`, which the program only calls at the top level of its modules
 * (`configure('prod')`, run once at load): a setting made before any record comes, not state that records
 * change. What it assigns is still read as the variable's value. A function handed over as a value, called
 * from another function, or never called in the program may run at any time, and its writes stay state.
 */
export function writtenAtLoad(write: ts.Node, program: ts.Program, checker: ts.TypeChecker): boolean {
  if (!ts.isBinaryExpression(write) || write.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return false;
  const fn = ts.findAncestor(write, isFunctionNode);
  const name = fn && !ts.findAncestor(fn.parent, isFunctionNode) ? functionName(fn) : undefined;
  const own = name && checker.getSymbolAtLocation(name);
  if (!name || !own) return false;
  let calls = 0;
  for (const file of program.getSourceFiles()) {
    if (isLibraryFile(file) || !file.text.includes(name.text)) continue;
    let other = false;
    const visit = (node: ts.Node): void => {
      if (other) return;
      if (ts.isIdentifier(node) && node !== name && node.text === name.text) {
        const specifier = ts.isImportSpecifier(node.parent) || ts.isExportSpecifier(node.parent);
        if (specifier || symbolOf(node, checker) === own) {
          if (!usedAtLoad(node)) other = true;
          else if (ts.isCallExpression(node.parent)) calls++;
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
    if (other) return false;
  }
  return calls > 0;
}

import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import ts from 'typescript';
import { objectBindingOf } from './held-values.ts';
import { isFunctionNode, resolveName, unwrap, type FunctionNode } from './resolve.ts';

/** The file a relative `require('./shard.cjs')` loads: the path as written, or with a script extension added. */
function requiredFile(specifier: string, from: ts.SourceFile): string | undefined {
  if (!/^\.{1,2}\//.test(specifier)) return undefined;
  const base = resolve(dirname(from.fileName), specifier);
  return ['', '.js', '.cjs', '.ts', '.cts'].map((ext) => base + ext).find((path) => existsSync(path));
}

/** `require('./x')`, with `require` the global one or a `createRequire(import.meta.url)` the program makes. */
function requiredSpecifier(node: ts.Expression, checker: ts.TypeChecker): string | undefined {
  const call = unwrap(node);
  if (!ts.isCallExpression(call) || !ts.isIdentifier(call.expression)) return undefined;
  const first = call.arguments[0];
  if (!first || !ts.isStringLiteralLike(first)) return undefined;
  if (call.expression.text === 'require') return first.text;
  const maker = resolveName(call.expression, checker);
  const made = maker.kind === 'variable' && maker.node.initializer ? unwrap(maker.node.initializer) : undefined;
  const isMaker = made && ts.isCallExpression(made) && /^createRequire$/.test(made.expression.getText());
  return isMaker ? first.text : undefined;
}

/** `module.exports = { shardFor }`, `exports.shardFor = function …`: the function a CommonJS file exports by name. */
function exportedFunction(file: ts.SourceFile, name: string): FunctionNode | undefined {
  const declared = (n: string) =>
    file.statements.find((s): s is ts.FunctionDeclaration => ts.isFunctionDeclaration(s) && s.name?.text === n);
  for (const statement of file.statements) {
    if (!ts.isExpressionStatement(statement) || !ts.isBinaryExpression(statement.expression)) continue;
    const { left, right } = statement.expression;
    const target = left.getText(file).replace(/\s+/g, '');
    const value = unwrap(right);
    if ((target === `module.exports.${name}` || target === `exports.${name}`) && isFunctionNode(value)) return value;
    if (target !== 'module.exports' || !ts.isObjectLiteralExpression(value)) continue;
    for (const p of value.properties) {
      if (p.name?.getText(file) !== name) continue;
      if (ts.isShorthandPropertyAssignment(p)) return declared(name);
      if (ts.isPropertyAssignment(p) && isFunctionNode(unwrap(p.initializer)))
        return unwrap(p.initializer) as FunctionNode;
      if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.initializer)) return declared(p.initializer.text);
    }
  }
  return undefined;
}

/**
 * `shardFor` of `const { shardFor } = require('./shard.cjs')` (or a `createRequire(import.meta.url)`'s
 * require): the file it loads and the function that file exports under the name, to be read in a program
 * holding that file. Undefined when the name is not taken from a relative require.
 */
export function requiredFunction(
  callee: ts.Expression,
  checker: ts.TypeChecker,
): { readonly file: string; readonly name: string } | undefined {
  const destructured = objectBindingOf(callee, checker);
  const initializer = destructured?.declaration.initializer;
  if (!destructured || !initializer) return undefined;
  const { binding, declaration } = destructured;
  const specifier = requiredSpecifier(initializer, checker);
  const file = specifier && requiredFile(specifier, declaration.getSourceFile());
  const exported = (binding.propertyName ?? binding.name).getText();
  return file ? { file, name: exported } : undefined;
}

/** The exported function of a required file, in the given program. */
export function requiredFunctionIn(program: ts.Program, file: string, name: string): FunctionNode | undefined {
  const source = program.getSourceFile(file);
  return source && exportedFunction(source, name);
}

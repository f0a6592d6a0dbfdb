import ts from 'typescript';
import { isLibraryFile } from './package-exports.ts';
import { isFunctionNode, type FunctionNode } from './resolve.ts';

/**
 * What a function says, as a list of words: its names, its strings' and templates' text and its numbers' values,
 * without its types. The text `check` holds of a loaded function (types stripped, `60_000` printed `6e4`) and the
 * function as written give the same list.
 */
function wordsOf(root: ts.Node): string[] {
  const words: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isTypeNode(node) || ts.isTypeParameterDeclaration(node)) return;
    if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) words.push(node.text);
    else if (ts.isNumericLiteral(node)) words.push(String(Number(node.text.replace(/_/g, ''))));
    else if (ts.isStringLiteralLike(node) || ts.isTemplateLiteralToken(node)) words.push(`'${node.text}'`);
    else if (node.kind === ts.SyntaxKind.ThisKeyword) words.push('this');
    ts.forEachChild(node, visit);
  };
  visit(root);
  return words;
}

/** The words of a loaded function's text (`(e) => …`, `function f(e) {…}`, a method `keyOf(e) {…}`). */
function loadedWords(text: string): string[] | undefined {
  const method = /^(async\s+)?\*?\s*[\w$]+\s*\(/.test(text) && !/^(async\s+)?function\b/.test(text);
  const source = method ? `({${text}})` : `(${text})`;
  const file = ts.createSourceFile('loaded.js', source, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const statement = file.statements[0];
  if (file.statements.length !== 1 || !statement || !ts.isExpressionStatement(statement)) return undefined;
  return wordsOf(statement.expression);
}

/**
 * Whether a function as written says what a loaded function says. Undefined when the loaded text cannot be read
 * (then nothing is decided by it).
 */
export function saysLoadedText(node: FunctionNode, text: string): boolean | undefined {
  const words = loadedWords(text);
  return words && sameWords(wordsOf(node), words);
}

const found = new WeakMap<ts.Program, Map<string, FunctionNode | undefined>>();

/**
 * The one function of the program's own files that says what a loaded function says: where `check` places a
 * function it was handed through a parameter (`keyedBy(fn)` running `stream.groupBy(fn)`, a destructured
 * `{ key }` of a configuration `TOPICS.map(build)` passes), as the lint, which binds those parameters, places
 * it. Undefined when no function, or more than one, says it.
 */
export function functionByText(program: ts.Program, text: string): FunctionNode | undefined {
  let known = found.get(program);
  if (!known) found.set(program, (known = new Map<string, FunctionNode | undefined>()));
  if (known.has(text)) return known.get(text);
  const words = loadedWords(text);
  const matches: FunctionNode[] = [];
  if (words && words.length > 0) {
    const names = [...new Set(words.filter((w) => !w.startsWith("'") && !/^[\d-]/.test(w)))];
    for (const file of program.getSourceFiles()) {
      if (isLibraryFile(file) || file.isDeclarationFile || !mentionsAll(file.text, names)) continue;
      const visit = (node: ts.Node): void => {
        if (isFunctionNode(node) && mentionsAll(file.text.slice(node.pos, node.end), names))
          if (sameWords(wordsOf(node), words)) matches.push(node);
        ts.forEachChild(node, visit);
      };
      visit(file);
    }
  }
  const only = matches.length === 1 ? matches[0] : undefined;
  known.set(text, only);
  return only;
}

const sameWords = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((w, i) => w === b[i]);

const mentionsAll = (text: string, names: readonly string[]) => names.every((n) => text.includes(n));

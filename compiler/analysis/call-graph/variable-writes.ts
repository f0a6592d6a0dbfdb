import ts from 'typescript';
import { isIncrement } from './outliving-state.ts';
import { isFunctionNode, unwrap } from './resolve.ts';
import { filledBuffer } from './value-sources.ts';

/** `=`, `+=`, `??=`, `||=`…: each gives the variable on its left a value from its right. */
export const assignments: ReadonlySet<ts.SyntaxKind> = new Set([
  ts.SyntaxKind.EqualsToken,
  ts.SyntaxKind.PlusEqualsToken,
  ts.SyntaxKind.MinusEqualsToken,
  ts.SyntaxKind.AsteriskEqualsToken,
  ts.SyntaxKind.QuestionQuestionEqualsToken,
  ts.SyntaxKind.BarBarEqualsToken,
  ts.SyntaxKind.AmpersandAmpersandEqualsToken,
]);
/** What `x++`, `x = …`, `x += …` write to, when `node` is such a write. */
export function writtenTarget(node: ts.Node): ts.Expression | undefined {
  if (isIncrement(node)) return node.operand;
  return ts.isBinaryExpression(node) && assignments.has(node.operatorToken.kind) ? node.left : undefined;
}

/**
 * What a write changes on every run: not a lazy singleton's `this.#instance ??= new Settings()`, which
 * sets it once (what it holds is then judged by what it is given).
 */
export function changingWrite(node: ts.Node): ts.Expression | undefined {
  const lazy =
    ts.isBinaryExpression(node) &&
    (node.operatorToken.kind === ts.SyntaxKind.QuestionQuestionEqualsToken ||
      node.operatorToken.kind === ts.SyntaxKind.BarBarEqualsToken);
  return lazy ? undefined : writtenTarget(node);
}

/**
 * The writes to each variable of a file (`x = …`, `x++`, a buffer a call
 * fills), collected once a file: what a read of a `let` may hold, and
 * whether a module variable changes from call to call.
 */
export class VariableWrites {
  readonly #byFile = new Map<ts.SourceFile, Map<ts.Symbol, ts.Node[]>>();

  constructor(readonly checker: ts.TypeChecker) {}

  /** Right-hand sides of `x = …` for a `let` (in its whole file). */
  assignedValues(declaration: ts.VariableDeclaration): ts.Expression[] {
    return this.writesOf(declaration).flatMap((w) => (ts.isBinaryExpression(w) ? [w.right] : []));
  }

  /**
   * Writes of a module variable made inside functions: each call changes it, so reads depend on history.
   * A lazy initialisation (`table ??= new Map(…)`, `if (table === undefined) table = …`) gives it a value
   * once: what it assigns is read as the variable's value instead (a random one is still found there).
   */
  writesInFunctions(declaration: ts.VariableDeclaration): ts.Node[] {
    return this.writesOf(declaration).filter((w) => ts.findAncestor(w, isFunctionNode) !== undefined && !isLazyInit(w));
  }

  writesOf(declaration: ts.VariableDeclaration): ts.Node[] {
    const file = declaration.getSourceFile();
    let byName = this.#byFile.get(file);
    if (!byName) {
      byName = new Map();
      this.#byFile.set(file, byName);
      this.#collectWrites(file, byName);
    }
    const symbol = ts.isIdentifier(declaration.name) ? this.checker.getSymbolAtLocation(declaration.name) : undefined;
    return (symbol && byName.get(symbol)) ?? [];
  }

  #collectWrites(file: ts.SourceFile, into: Map<ts.Symbol, ts.Node[]>): void {
    const visit = (node: ts.Node): void => {
      const target = isIncrement(node)
        ? node.operand
        : ts.isBinaryExpression(node) && assignments.has(node.operatorToken.kind)
          ? node.left
          : filledBuffer(node);
      if (target && ts.isIdentifier(target)) {
        const symbol = this.checker.getSymbolAtLocation(target);
        if (symbol) into.set(symbol, [...(into.get(symbol) ?? []), node]);
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
}

/** `x ??= v`, `x ||= v`, or `x = v` under `if (x === undefined)` / `if (!x)` / `if (x == null)`: set once, on first use. */
function isLazyInit(write: ts.Node): boolean {
  if (!ts.isBinaryExpression(write) || !ts.isIdentifier(write.left)) return false;
  const operator = write.operatorToken.kind;
  if (operator === ts.SyntaxKind.QuestionQuestionEqualsToken || operator === ts.SyntaxKind.BarBarEqualsToken)
    return true;
  if (operator !== ts.SyntaxKind.EqualsToken) return false;
  const statement = write.parent;
  const guard = ts.isExpressionStatement(statement)
    ? ts.isBlock(statement.parent) && statement.parent.statements.length === 1
      ? statement.parent.parent
      : statement.parent
    : undefined;
  if (!guard || !ts.isIfStatement(guard) || guard.elseStatement) return false;
  const name = write.left.text;
  const condition = unwrap(guard.expression).getText().replace(/\s+/g, '');
  return new RegExp(
    `^(!${name}|${name}===?(undefined|null)|(undefined|null)===?${name}|typeof${name}===?['"]undefined['"])$`,
  ).test(condition);
}

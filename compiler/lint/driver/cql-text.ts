import { Node, SyntaxKind, VariableDeclarationKind, type Expression } from 'ts-morph';
import { assembledText, partText } from './assembled-cql.ts';
import { heldQuery } from './held-query.ts';
import { jsonImportCql, readFileCql } from './read-cql.ts';
import type { StaticEvaluator } from '../static-eval.ts';

/** How many names, picks and branches one query is followed through before the analysis gives up on it. */
const maxHops = 6;

/** The CQL text of an expression, reading `${…}` parts it cannot know as unknown parts that keep their text. */
export function cqlTextOf(node: Node, evaluator: StaticEvaluator, depth = 0): string | undefined {
  if (Node.isTemplateExpression(node)) {
    let text = node.getHead().getLiteralText();
    for (const span of node.getTemplateSpans())
      text += partText(span.getExpression(), evaluator, cqlTextOf, depth) + span.getLiteral().getLiteralText();
    return text;
  }
  if (Node.isIdentifier(node)) {
    const init = constInitializer(node);
    if (init) return cqlTextOf(init, evaluator, depth);
  }
  const value = evaluator.evaluate(node);
  if (value.type === 'literal' && typeof value.value === 'string') return value.value;
  return (
    readFileCql(node) ??
    jsonImportCql(node) ??
    taggedTemplateCql(node) ??
    assembledText(node, evaluator, cqlTextOf, depth)
  );
}

/**
 * A statement written as a tagged template (unseen round 10, U10D): ``cql`UPDATE t SET n = n + ${d} WHERE k = ${k}` ``,
 * also read as `stmt.query` of `const stmt = cql`…``. A tag makes bound markers of its parts, so each
 * part reads as `?`.
 */
function taggedTemplateCql(node: Node): string | undefined {
  const receiver = Node.isPropertyAccessExpression(node) ? node.getExpression() : undefined;
  const held = receiver && Node.isIdentifier(receiver) ? constInitializer(receiver) : node;
  if (!held || !Node.isTaggedTemplateExpression(held)) return undefined;
  const template = held.getTemplate();
  if (Node.isNoSubstitutionTemplateLiteral(template)) return template.getLiteralText();
  return [template.getHead(), ...template.getTemplateSpans().map((s) => s.getLiteral())]
    .map((part) => part.getLiteralText())
    .join('?');
}

/** The initializer of the `const` an identifier names, anywhere in the program. */
export function constInitializer(identifier: Node): Node | undefined {
  const declaration = variableOf(identifier);
  if (declaration?.getVariableStatement()?.getDeclarationKind() !== VariableDeclarationKind.Const) return undefined;
  return declaration.getInitializer();
}

export function variableOf(identifier: Node) {
  const symbol = identifier.getSymbol();
  const target = symbol?.isAlias() ? symbol.getAliasedSymbol() : symbol;
  const declaration = target?.getDeclarations()[0];
  return declaration && Node.isVariableDeclaration(declaration) ? declaration : undefined;
}

/**
 * Every CQL text a query may hold when no single one is known: `cond ? UP : DOWN`,
 * `STATEMENTS[kind]` of a const object, `STATEMENTS.get(kind)` of a
 * `new Map([[k, cql], …])`, and a `let` with each value assigned to it
 * (`let cql = SET_LAST; if (odometer) cql = ADD_KM`). The key or branch is
 * known only at run time, so any of them may be the one sent: a counter
 * among them is a counter sent.
 */
export function possibleCql(node: Node, evaluator: StaticEvaluator, hops = 0): string[] {
  if (hops > maxHops) return [];
  const next = (n: Node | undefined) => (n ? possibleCql(n, evaluator, hops + 1) : []);
  if (
    Node.isParenthesizedExpression(node) ||
    Node.isAsExpression(node) ||
    Node.isNonNullExpression(node) ||
    Node.isSatisfiesExpression(node)
  )
    return next(node.getExpression());
  const known = cqlTextOf(node, evaluator);
  if (known !== undefined) return [known];
  if (Node.isConditionalExpression(node)) return [...next(node.getWhenTrue()), ...next(node.getWhenFalse())];
  if (Node.isBinaryExpression(node) && ['??', '||'].includes(node.getOperatorToken().getText()))
    return [...next(node.getLeft()), ...next(node.getRight())];
  if (Node.isElementAccessExpression(node)) return objectValues(node.getExpression(), evaluator);
  if (Node.isCallExpression(node)) return mapValues(node).flatMap(next);
  // `stmt.query`, `const { query } = updateFor(usage)`: the property of an object the program makes.
  const held = heldQuery(node);
  if (held) return next(held);
  if (Node.isIdentifier(node)) {
    const declaration = variableOf(node);
    if (!declaration) return [];
    const init = declaration.getInitializer();
    const reassigned = constInitializer(node) ? [] : assignedValues(declaration);
    return [...(init ? [init] : []), ...reassigned].flatMap(next);
  }
  return [];
}

/** The string values of a const object read by a key known only at run time: `STATEMENTS[kind]`. */
function objectValues(table: Node, evaluator: StaticEvaluator): string[] {
  const value = evaluator.evaluate(table);
  if (value.type !== 'object') return [];
  return [...value.props.values()].flatMap((v) =>
    v.type === 'literal' && typeof v.value === 'string' ? [v.value] : [],
  );
}

/** `STATEMENTS.get(kind)` of `const STATEMENTS = new Map([[key, cql], …])`: the value of every entry. */
function mapValues(call: Node): Node[] {
  if (!Node.isCallExpression(call)) return [];
  const callee = call.getExpression();
  if (!Node.isPropertyAccessExpression(callee) || callee.getName() !== 'get') return [];
  const receiver = callee.getExpression();
  const map = Node.isIdentifier(receiver) ? constInitializer(receiver) : receiver;
  return map ? mapEntryValues(map) : [];
}

/** The values of `new Map([[k, v], …])` written out, or of a const array of such pairs. */
function mapEntryValues(map: Node): Node[] {
  if (!Node.isNewExpression(map) || map.getExpression().getText() !== 'Map') return [];
  let entries: Node | undefined = map.getArguments()[0];
  if (entries && Node.isIdentifier(entries)) entries = constInitializer(entries);
  if (!entries || !Node.isArrayLiteralExpression(entries)) return [];
  return entries
    .getElements()
    .flatMap((pair) => (Node.isArrayLiteralExpression(pair) && pair.getElements()[1] ? [pair.getElements()[1]!] : []));
}

/** Right-hand sides of `name = …` for a `let`/`var`, in the function (or file) it is declared in. */
function assignedValues(declaration: Node): Expression[] {
  const name = declaration.getFirstChildByKind(SyntaxKind.Identifier);
  if (!name) return [];
  const symbol = name.getSymbol();
  const scope =
    declaration.getFirstAncestor(
      (a) =>
        Node.isFunctionDeclaration(a) ||
        Node.isArrowFunction(a) ||
        Node.isFunctionExpression(a) ||
        Node.isMethodDeclaration(a),
    ) ?? declaration.getSourceFile();
  return scope
    .getDescendantsOfKind(SyntaxKind.BinaryExpression)
    .filter((b) => b.getOperatorToken().getKind() === SyntaxKind.EqualsToken)
    .filter((b) => {
      const left = b.getLeft();
      return Node.isIdentifier(left) && left.getText() === name.getText() && left.getSymbol() === symbol;
    })
    .map((b) => b.getRight());
}

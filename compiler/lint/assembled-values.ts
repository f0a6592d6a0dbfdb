import { ts } from 'ts-morph';
import { propertyOf, unknownValue, type AbstractValue } from './abstract-value.ts';

/**
 * What the static reader needs to follow pipelines a program assembles with
 * code rather than one chain of calls (unseen rounds 9 and 10): a factory's
 * destructured parameters, stages a generator yields, arrays of stages or
 * configurations folded with `reduce` or turned into pipelines with `map`.
 */

/** How many items of an array `map` and `reduce` run the callback on: more is a data table, not a pipeline list. */
const maxItems = 64;

type Bindings = Map<ts.Node, AbstractValue>;

/**
 * Binds a parameter to the value a call passes; a destructured one binds each of its names to the property (or
 * item) it takes: `({ topic, key }: TopicConfig)`. A name whose property is missing and that has a default is left
 * unknown (the default is not read here).
 */
export function bindParameter(parameter: ts.ParameterDeclaration, value: AbstractValue, bindings: Bindings): void {
  bindings.set(parameter, value);
  if (!ts.isIdentifier(parameter.name)) bindPattern(parameter.name, value, bindings);
}

function bindPattern(pattern: ts.BindingPattern, value: AbstractValue, bindings: Bindings): void {
  pattern.elements.forEach((element, index) => {
    if (ts.isOmittedExpression(element)) return;
    const taken = element.dotDotDotToken ? unknownValue : elementValue(pattern, element, index, value);
    const missing = taken.type === 'literal' && taken.value === undefined;
    const bound = missing && element.initializer ? unknownValue : taken;
    bindings.set(element, bound);
    if (!ts.isIdentifier(element.name)) bindPattern(element.name, bound, bindings);
  });
}

function elementValue(
  pattern: ts.BindingPattern,
  element: ts.BindingElement,
  index: number,
  value: AbstractValue,
): AbstractValue {
  if (ts.isArrayBindingPattern(pattern))
    return value.type === 'array' ? (value.items[index] ?? { type: 'literal', value: undefined }) : unknownValue;
  const key = element.propertyName ?? element.name;
  const name = ts.isIdentifier(key) || ts.isStringLiteral(key) ? key.text : undefined;
  return name === undefined ? unknownValue : propertyOf(value, name);
}

/**
 * The values a generator yields when its body is a straight list of `yield x;` statements, no loop or branch:
 * `function* stages() { yield (s) => s.parse(E); yield (s) => s.window(…); … }`. Undefined otherwise.
 */
export function straightYields(body: ts.Block): ts.Expression[] | undefined {
  const yielded: ts.Expression[] = [];
  for (const statement of body.statements) {
    const expression = ts.isExpressionStatement(statement) ? statement.expression : undefined;
    if (!expression || !ts.isYieldExpression(expression) || !expression.expression || expression.asteriskToken)
      return undefined;
    yielded.push(expression.expression);
  }
  return yielded;
}

/** `[a, ...stages(), b]`: the items, when every spread is of a known array; undefined otherwise. */
export function spreadItems(
  elements: readonly ts.Expression[],
  read: (expression: ts.Expression) => AbstractValue,
): AbstractValue[] | undefined {
  const items: AbstractValue[] = [];
  for (const element of elements) {
    if (!ts.isSpreadElement(element)) {
      items.push(read(element));
      continue;
    }
    const spread = read(element.expression);
    if (spread.type !== 'array') return undefined;
    items.push(...spread.items);
  }
  return items;
}

/**
 * `configs.map(build)` and `stages.reduce((s, stage) => stage(s), source.kafka(…))` over a known array: the
 * callback run on each item, as JavaScript runs it. Undefined for other methods, a callback that is not a
 * function of the program, or an array too long to be a list of stages.
 */
export function arrayMethodValue(
  items: readonly AbstractValue[],
  method: string,
  args: readonly AbstractValue[],
  invoke: (fn: AbstractValue, args: readonly AbstractValue[]) => AbstractValue,
): AbstractValue | undefined {
  const callback = args[0];
  if (callback?.type !== 'fn' || items.length > maxItems) return undefined;
  const index = (i: number): AbstractValue => ({ type: 'literal', value: i });
  if (method === 'map') return { type: 'array', items: items.map((item, i) => invoke(callback, [item, index(i)])) };
  if (method !== 'reduce') return undefined;
  const seeded = args.length >= 2;
  let folded = seeded ? args[1]! : (items[0] ?? unknownValue);
  for (let i = seeded ? 0 : 1; i < items.length; i++) folded = invoke(callback, [folded, items[i]!, index(i)]);
  return folded;
}

/**
 * `process.env.WINDOW_MINUTES` (or `process.env['…']`): a variable of the environment. `check` runs the pipeline
 * where it is unset, so `process.env.X ?? 1` builds the pipeline of its default; the lint reads it the same way.
 */
export function isEnvironmentRead(node: ts.Expression): boolean {
  let inner = node;
  while (ts.isParenthesizedExpression(inner) || ts.isAsExpression(inner) || ts.isNonNullExpression(inner))
    inner = inner.expression;
  if (!ts.isPropertyAccessExpression(inner) && !ts.isElementAccessExpression(inner)) return false;
  const env = inner.expression;
  return (
    ts.isPropertyAccessExpression(env) &&
    env.name.text === 'env' &&
    ts.isIdentifier(env.expression) &&
    env.expression.text === 'process'
  );
}

/** `Number('5')`, `parseInt('5', 10)`, `parseFloat('1.5')` of a known literal: the number. Undefined otherwise. */
export function numberConversion(name: string, args: readonly AbstractValue[]): AbstractValue | undefined {
  const [first] = args;
  if (first?.type !== 'literal' || !['Number', 'parseInt', 'parseFloat'].includes(name)) return undefined;
  if (name === 'Number') return { type: 'literal', value: Number(first.value) };
  const radix = args[1]?.type === 'literal' ? Number(args[1].value) : undefined;
  const text = String(first.value);
  return { type: 'literal', value: name === 'parseInt' ? parseInt(text, radix) : parseFloat(text) };
}

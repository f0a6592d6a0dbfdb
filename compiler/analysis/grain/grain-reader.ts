import ts from 'typescript';
import {
  calleeName,
  isFunctionNode,
  resolveCallee,
  resolveName,
  unwrap,
  type FunctionNode,
} from '../call-graph/resolve.ts';
import { maxCallDepth } from '../call-graph/nondet.ts';
import { returnedExpressions } from '../call-graph/returned-expressions.ts';
import { curriedCall, type Made } from './curried.ts';
import { calendarPartOf, libraryCall, methodOn, type Reader } from './date-methods.ts';
import { intlFormatted, localeFormatted } from './intl-format.ts';
import { instanceConstants } from './instance-constants.ts';
import { numericConstant, type ParameterConstants } from './numeric-constant.ts';
import {
  cutTo,
  finest,
  isTimed,
  keptOf,
  pointAt,
  wrapTo,
  type Cut,
  type TimedValue,
  type TimeValue,
} from './time-value.ts';
import { setterGrain } from './time-units.ts';

type Env = ReadonlyMap<ts.Node, TimeValue>;

const windowFields = new Set(['windowStart', 'windowEnd']);
const roundings = new Set(['floor', 'trunc', 'round', 'ceil']);

/** `Math.floor(x)` of a time `scale` ms a unit keeps whole units only. */
function rounded(value: TimeValue | undefined, node: ts.Node): TimeValue | undefined {
  if (value?.kind !== 'number' || value.scale === undefined) return value;
  return cutTo(value, value.scale, node);
}

/**
 * Reads one function's expressions for what they keep of the window start
 * (`row.windowStart` of the aggregate row bound to a parameter), following
 * local variables, helpers of the program (to a bound depth) and callbacks.
 * Never runs the code; what it cannot read is `undefined`.
 */
export class GrainReader implements Reader {
  readonly #reading = new Set<ts.Node>();

  constructor(
    readonly checker: ts.TypeChecker,
    readonly fn: FunctionNode,
    readonly env: Env,
    readonly depth = 0,
    /** Parameters given a constant number by the call being read: `step` of `floorTo(ws, HOUR)`. */
    readonly constants: ParameterConstants = new Map(),
  ) {}

  /** What the function returns, all its `return`s taken together. */
  result(): TimeValue | undefined {
    return finest(returnedExpressions(this.fn).map((e) => this.value(e)));
  }

  constant(node: ts.Expression): number | undefined {
    return numericConstant(node, this.checker, 0, this.constants);
  }

  value(expression: ts.Expression): TimeValue | undefined {
    const node = unwrap(expression);
    if (ts.isPropertyAccessExpression(node)) return this.#member(this.value(node.expression), node.name.text, node);
    if (ts.isElementAccessExpression(node)) {
      const owner = this.value(node.expression);
      const index = node.argumentExpression;
      if (ts.isStringLiteral(index)) return this.#member(owner, index.text);
      if (owner?.kind === 'list') {
        const at = ts.isNumericLiteral(index) ? owner.items?.[Number(index.text)] : undefined;
        return at ?? owner.item;
      }
      // `DAYS[d.getUTCDay()]`: a lookup tells apart no more than its index, and repeats when the index does.
      const looked = this.value(index);
      return isTimed(looked) ? { kind: 'text', ...keptOf(looked) } : undefined;
    }
    if (ts.isIdentifier(node)) return this.#identifier(node);
    if (ts.isCallExpression(node)) return this.#call(node);
    if (ts.isNewExpression(node)) return this.#construct(node);
    if (ts.isBinaryExpression(node)) return this.#binary(node);
    if (ts.isPrefixUnaryExpression(node)) return this.#unary(node);
    if (ts.isTemplateExpression(node)) {
      const part = finest(node.templateSpans.map((s) => this.value(s.expression)));
      return isTimed(part) ? { kind: 'text', ...keptOf(part) } : undefined;
    }
    if (ts.isConditionalExpression(node)) return finest([this.value(node.whenTrue), this.value(node.whenFalse)]);
    if (ts.isArrayLiteralExpression(node)) {
      const item = finest(node.elements.map((e) => (ts.isSpreadElement(e) ? undefined : this.value(e))));
      return item && { kind: 'list', item };
    }
    return undefined;
  }

  #member(owner: TimeValue | undefined, name: string, node?: ts.Node): TimeValue | undefined {
    if (owner?.kind === 'row' && windowFields.has(name)) return { kind: 'number', grain: 1, scale: 1 };
    // luxon's `dt.weekNumber`, `dt.year`, `dt.ordinal`: a part of the date, read as a property.
    if (owner?.kind === 'date' && node) return calendarPartOf(owner, name === 'day' ? 'date' : name, node);
    return undefined;
  }

  #identifier(id: ts.Identifier): TimeValue | undefined {
    const resolved = resolveName(id, this.checker);
    if (resolved.kind === 'parameter') return this.#binding(resolved.node);
    if (resolved.kind !== 'variable' || this.#reading.has(resolved.node)) return undefined;
    const declaration = resolved.node;
    if (!declaration.initializer) return undefined;
    this.#reading.add(declaration);
    const value = this.value(declaration.initializer);
    this.#reading.delete(declaration);
    return value?.kind === 'date' ? this.#afterSetters(value, declaration, id) : value;
  }

  /** `d.setUTCHours(0, 0, 0, 0)` before `d` is read again: the Date now holds the day only. */
  #afterSetters(value: TimedValue, declaration: ts.VariableDeclaration, use: ts.Node): TimedValue {
    let result = value;
    const visit = (node: ts.Node): void => {
      if (node.getStart() >= use.getStart()) return;
      if (
        ts.isCallExpression(node) &&
        ts.isPropertyAccessExpression(node.expression) &&
        ts.isIdentifier(node.expression.expression)
      ) {
        const setter = setterGrain[node.expression.name.text.replace('UTC', '')];
        const target = resolveName(node.expression.expression, this.checker);
        if (setter && target.kind === 'variable' && target.node === declaration && node.arguments.length >= setter[1])
          result = cutTo(result, setter[0], node);
      }
      ts.forEachChild(node, visit);
    };
    if (this.fn.body) visit(this.fn.body);
    return result;
  }

  /** A parameter, or a name destructured from one (`({ windowStart }) => …`, `const { windowStart } = row`). */
  #binding(node: ts.ParameterDeclaration | ts.BindingElement | ts.VariableDeclaration): TimeValue | undefined {
    if (ts.isParameter(node)) return this.env.get(node);
    if (ts.isVariableDeclaration(node)) return node.initializer && this.value(node.initializer);
    const pattern = node.parent;
    const holder = pattern.parent;
    if (!ts.isParameter(holder) && !ts.isVariableDeclaration(holder) && !ts.isBindingElement(holder)) return undefined;
    const whole = this.#binding(holder);
    if (ts.isArrayBindingPattern(pattern)) return whole?.kind === 'list' ? whole.item : undefined;
    const name = node.propertyName ?? node.name;
    return ts.isIdentifier(name) || ts.isStringLiteral(name) ? this.#member(whole, name.text) : undefined;
  }

  #call(call: ts.CallExpression): TimeValue | undefined {
    const callee = unwrap(call.expression);
    const name = calleeName(callee)?.getText() ?? '';
    const args = () => call.arguments.map((a) => this.value(a));
    if (ts.isPropertyAccessExpression(callee)) {
      const owner = callee.expression.getText();
      if (owner === 'Math' && roundings.has(name))
        return call.arguments[0] && rounded(this.value(call.arguments[0]), call);
      if (owner === 'Date' && name === 'UTC') return this.#parts(args());
      const receiver = this.value(callee.expression);
      const localized = /^toLocale(Date|Time)?String$/.test(name)
        ? localeFormatted(call, receiver, this.checker)
        : undefined;
      if (localized) return localized;
      if (receiver) return methodOn(receiver, name, call, this);
      const formatted =
        name === 'format' && call.arguments[0]
          ? intlFormatted(call, callee.expression, this.value(call.arguments[0]), this.checker)
          : undefined;
      if (formatted) return formatted;
    }
    if (/^(String)$/.test(name)) return this.#converted(args()[0], 'text');
    if (/^(Number|parseInt|parseFloat)$/.test(name)) return this.#converted(args()[0], 'number');
    const resolved = resolveCallee(call, this.checker);
    if (resolved.kind === 'function') return this.apply(call.expression, args(), call, true);
    const curried = curriedCall(callee, this.checker, (e) => this.constant(e));
    if (curried) return this.apply(call.expression, args(), call, true, curried);
    const first = args()[0];
    return first && libraryCall(name, call, first);
  }

  #converted(value: TimeValue | undefined, kind: 'text' | 'number'): TimeValue | undefined {
    if (!isTimed(value)) return undefined;
    if (kind === 'number' && value.kind === 'date') return { ...value, kind: 'number', scale: 1 };
    return { kind, ...keptOf(value) };
  }

  /** `Date.UTC(y, m, d)`, `new Date(y, m, d)`: as fine as the finest part. */
  #parts(parts: readonly (TimeValue | undefined)[]): TimeValue | undefined {
    const part = finest(parts);
    return isTimed(part) ? { kind: 'number', ...keptOf(part), scale: 1 } : undefined;
  }

  #construct(node: ts.NewExpression): TimeValue | undefined {
    if (node.expression.getText() !== 'Date' || !node.arguments?.length) return undefined;
    const parts = node.arguments.map((a) => this.value(a));
    const made = parts.length === 1 ? parts[0] : this.#parts(parts);
    return isTimed(made) ? { kind: 'date', ...keptOf(made) } : undefined;
  }

  /**
   * A helper or callback called with these values. Its own cut is shown at
   * the call here, with the helper's name on the path; a cut made before
   * the call stays where it was made.
   */
  apply(
    callback: ts.Expression,
    args: readonly (TimeValue | undefined)[],
    call: ts.CallExpression,
    /** The call's own arguments are the helper's: a constant one (`HOUR`) is the number its parameter holds. */
    passesArguments = false,
    /** A function a factory made (`bucket(5)`), with the numbers the factory was given. */
    made?: Made,
  ): TimeValue | undefined {
    if (this.depth >= maxCallDepth || !args.some((a) => a !== undefined)) return undefined;
    const inner = unwrap(callback);
    const target = made?.target ?? (isFunctionNode(inner) ? inner : this.#functionNamed(inner, call));
    if (!target) return undefined;
    // A callback written inline still sees the parameters of the functions around it.
    const env = new Map<ts.Node, TimeValue>(this.env);
    target.parameters.forEach((p, i) => args[i] && env.set(p, args[i]));
    // `partition.of(ws)` of `const partition = new IsoPartitioner()`: the instance's parameter properties.
    const own = passesArguments ? instanceConstants(call.expression, this.checker, this.constants) : this.constants;
    const constants = new Map([...own, ...(made?.constants ?? [])]);
    if (passesArguments)
      target.parameters.forEach((p, i) => {
        const given = call.arguments[i] && this.constant(call.arguments[i]);
        if (given !== undefined) constants.set(p, given);
      });
    const result = new GrainReader(this.checker, target, env, this.depth + 1, constants).result();
    if (!isTimed(result) || target === inner) return result;
    const helper = calleeName(inner)?.getText() ?? inner.getText();
    // A cut or cycle the helper made is shown at this call, with the helper on its path.
    const here = (made: Cut): Cut => ({ at: pointAt(call), what: made.what, via: [helper, ...made.via] });
    const cut = result.cut && !args.some((a) => isTimed(a) && a.cut === result.cut) ? here(result.cut) : result.cut;
    const cycle =
      result.cycle && !args.some((a) => isTimed(a) && a.cycle === result.cycle)
        ? { period: result.cycle.period, at: here(result.cycle.at) }
        : result.cycle;
    return { ...result, ...(cut ? { cut } : {}), ...(cycle ? { cycle } : {}) };
  }

  /** The function a name stands for: the callee of `call`, or a callback passed by name (`list.map(dayOf)`). */
  #functionNamed(node: ts.Expression, call: ts.CallExpression): FunctionNode | undefined {
    const resolved =
      node === unwrap(call.expression)
        ? resolveCallee(call, this.checker)
        : ts.isIdentifier(node)
          ? resolveName(node, this.checker)
          : ts.isPropertyAccessExpression(node)
            ? resolveName(node.name, this.checker)
            : undefined;
    return resolved?.kind === 'function' ? resolved.node : undefined;
  }

  #binary(node: ts.BinaryExpression): TimeValue | undefined {
    const op = node.operatorToken.kind;
    if (op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.BarBarToken)
      return finest([this.value(node.left), this.value(node.right)]);
    const left = this.value(node.left);
    const right = this.value(node.right);
    const c = this.constant(node.right);
    if (left?.kind === 'number' && c !== undefined) return this.#arithmetic(left, op, c, node);
    if (op === ts.SyntaxKind.MinusToken && left?.kind === 'number' && right?.kind === 'number' && right.remainder)
      return cutTo(left, right.remainder, node); // `ms - ms % DAY`
    if (op === ts.SyntaxKind.PlusToken || op === ts.SyntaxKind.MinusToken) {
      const part = finest([left, right]);
      if (!isTimed(part)) return undefined;
      const numeric = left?.kind === 'number' && (right === undefined || right.kind === 'number');
      return numeric ? part : { kind: 'text', ...keptOf(part) };
    }
    return undefined;
  }

  #arithmetic(
    left: Extract<TimeValue, { kind: 'number' }>,
    op: ts.SyntaxKind,
    c: number,
    node: ts.Node,
  ): TimeValue | undefined {
    const scaled = (scale: number | undefined) => ({ ...left, ...(scale === undefined ? {} : { scale }) });
    switch (op) {
      case ts.SyntaxKind.SlashToken:
        return left.scale === undefined ? left : scaled(left.scale * c);
      case ts.SyntaxKind.AsteriskToken:
        return left.scale === undefined ? left : scaled(left.scale / c);
      case ts.SyntaxKind.PlusToken:
      case ts.SyntaxKind.MinusToken:
        return left;
      case ts.SyntaxKind.PercentToken:
        // `ws % DAY`: the time within the day, the same every day.
        return left.scale === undefined
          ? undefined
          : wrapTo({ ...left, remainder: left.scale * c }, left.scale * c, node);
      case ts.SyntaxKind.BarToken:
      case ts.SyntaxKind.GreaterThanGreaterThanToken:
      case ts.SyntaxKind.GreaterThanGreaterThanGreaterThanToken:
        return c === 0 ? rounded(left, node) : undefined;
      default:
        return undefined;
    }
  }

  #unary(node: ts.PrefixUnaryExpression): TimeValue | undefined {
    const operand = this.value(node.operand);
    if (node.operator === ts.SyntaxKind.PlusToken) return this.#converted(operand, 'number');
    if (node.operator === ts.SyntaxKind.MinusToken) return operand?.kind === 'number' ? operand : undefined;
    // `~~x`: the inner `~` is read as the number itself, the outer one truncates.
    if (node.operator === ts.SyntaxKind.TildeToken)
      return ts.isPrefixUnaryExpression(node.operand) && node.operand.operator === ts.SyntaxKind.TildeToken
        ? rounded(this.value(node.operand.operand), node)
        : undefined;
    return undefined;
  }
}

import type ts from 'typescript';
import type { SourceLocation } from '../../ir/index.ts';
import type { NondeterministicKind } from '../clock-and-randomness.ts';
import { describeLocation } from '../describe-location.ts';

/** A step between the value's use and its source: a helper that returns it, or a variable that holds it. */
export interface Hop {
  /** `passed as`: the argument a factory or a constructor was given, which a closure or a method calls later. */
  readonly how: 'returned by' | 'held by' | 'passed as';
  readonly name: string;
  readonly node: ts.Node;
}

/** A value that differs between a run and its replay, and how it got here. */
export interface Nondet {
  /** e.g. "Date.now()", "module variable `seq`". */
  readonly what: string;
  readonly kind: NondeterministicKind;
  /** The clock or random call, or the write of module state, itself. */
  readonly at: ts.Node;
  /** Helpers and variables between the use and `at`, outermost first. */
  readonly via: readonly Hop[];
}

/** A call or name the analysis could not follow: named so a reviewer knows what was not checked. */
export interface NotFollowed {
  readonly at: ts.Node;
  readonly what: string;
  readonly why: string;
}

export interface FunctionSummary {
  /** The function's result may carry this non-deterministic value (not counting what its arguments bring). */
  readonly returns?: Nondet;
  readonly notFollowed: readonly NotFollowed[];
}

/** How many helper calls deep values are followed; deeper chains are noted, not guessed. */
export const maxCallDepth = 8;

export function locationOfNode(node: ts.Node): SourceLocation {
  const file = node.getSourceFile();
  const { line, character } = file.getLineAndCharacterOfPosition(node.getStart(file));
  return { file: file.fileName, line: line + 1, column: character + 1 };
}

function describeHop(h: Hop): string {
  if (h.how === 'returned by') return `\`${h.name}()\``;
  if (h.how === 'held by') return `\`${h.name}\``;
  return `\`${h.name}\` (passed at ${describeLocation(locationOfNode(h.node))})`;
}

/** "Date.now() via `bucketOf()` (returned at helpers.ts:4:10)": the value and the path to it. */
export function describeNondet(n: Nondet): string {
  if (n.via.length === 0) return n.what;
  const path = n.via.map(describeHop).join(' → ');
  return `${n.what} via ${path} (at ${describeLocation(locationOfNode(n.at))})`;
}

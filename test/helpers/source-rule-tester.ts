import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { lintProject, loadLintProject, type LintFinding } from '../../compiler/lint/lint.ts';
import type { SourceRule } from '../../compiler/lint/source-rule.ts';
import type { Severity } from '../../compiler/rule.ts';

export interface ExpectedSourceError {
  readonly messageId: string;
  /** 1-based, in the case's code. */
  readonly line: number;
  readonly column: number;
  /** Another rule's code, when the rule reports under it (IDEM017) or the lint does (IDEM013, IDEM015). */
  readonly code?: string;
  /** A milder severity than the rule's (a guarded case that still deserves a note). */
  readonly severity?: Severity;
  /** What the message must say, where its data matters (the line it points back to). */
  readonly message?: RegExp;
}

interface SourceCase {
  readonly name: string;
  readonly code: string;
  /** The file's extension (default `ts`): `js` for CommonJS code read without types. */
  readonly extension?: 'ts' | 'js';
}

export interface SourceRuleCases {
  readonly valid: readonly SourceCase[];
  readonly invalid: readonly (SourceCase & { readonly errors: readonly ExpectedSourceError[] })[];
  /** Rules run beside the one under test: a suppression case needs a finding to suppress. */
  readonly alongside?: readonly SourceRule[];
}

/**
 * Code written in a test, its common indentation removed, so cases read as
 * the driver code they stand for and lines count from the case's first line.
 * The indentation is the template's own: an interpolated value (shared lines
 * of set-up) goes in as it is.
 */
export function code(strings: TemplateStringsArray, ...values: readonly unknown[]): string {
  const hole = (i: number) => `\u0000${i}\u0000`;
  // Raw, so a `\n` in the case's code stays two characters; only an escaped backtick or `${` is unescaped.
  const text = strings.raw
    .map((part, i) => part.replace(/\\(`|\$\{)/g, '$1') + (i < values.length ? hole(i) : ''))
    .join('')
    .replace(/^\n/, '')
    .replace(/\n[ \t]*$/, '\n');
  const lines = text.split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => /^[ \t]*/.exec(l)![0].length));
  return lines
    .map((l) => l.slice(indent))
    .join('\n')
    .replace(/\u0000(\d+)\u0000/g, (_, i: string) => String(values[Number(i)]));
}

// Case files live (in memory only) inside the repository, so `cassandra-driver` and `kafkajs` resolve to their types.
const root = fileURLToPath(new URL('../../', import.meta.url));
const tsconfig = `${root}tsconfig.json`;

/**
 * ESLint's RuleTester for the lint's source rules: each case is linted as a
 * file of its own (never written to disk); a valid case reports nothing, an
 * invalid one exactly the listed findings, in order of place. IDEM006 (a note
 * on any pipeline without a system of record) is off, as in the fixture table.
 */
export function sourceRuleTester(rule: SourceRule, cases: SourceRuleCases): void {
  const all = [...cases.valid.map((c) => ({ ...c, errors: [] })), ...cases.invalid];
  const pathOf = (index: number) =>
    `${root}test/compiler/lint/rules/cases/${rule.meta.name}/case-${index}.${all[index]!.extension ?? 'ts'}`;
  describe(`${rule.meta.code} ${rule.meta.name}`, () => {
    let findings: readonly LintFinding[] = [];
    beforeAll(() => {
      const project = loadLintProject([], tsconfig);
      all.forEach((c, i) => project.createSourceFile(pathOf(i), c.code, { overwrite: true }));
      const paths = all.map((_, i) => pathOf(i));
      const result = lintProject(project, paths, {
        sourceRules: [rule, ...(cases.alongside ?? [])],
        config: { rules: { IDEM006: 'off' } },
      });
      findings = result.findings.filter((f) => !f.suppressed);
    }, 120_000);

    all.forEach((c, index) => {
      it(`${c.errors.length === 0 ? 'valid' : 'invalid'}: ${c.name}`, () => {
        const found = findings.filter((f) => f.location.file === pathOf(index));
        expect(found.map((f) => [f.code, f.messageId, f.location.line, f.location.column])).toEqual(
          c.errors.map((e) => [e.code ?? rule.meta.code, e.messageId, e.line, e.column]),
        );
        found.forEach((f, i) => {
          const expected = c.errors[i]!;
          expect(f.severity).toBe(expected.severity ?? (f.code === rule.meta.code ? rule.meta.severity : f.severity));
          expect(f.message).not.toMatch(/\{\{/);
          if (expected.message) expect(f.message).toMatch(expected.message);
          expect(f.fix.length).toBeGreaterThan(10);
        });
      });
    });
  });
}

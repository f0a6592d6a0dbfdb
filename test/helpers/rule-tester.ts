import { describe, expect, it } from 'vitest';
import { runRules, type Rule, type RunnerName } from '../../compiler/index.ts';
import { defaultRunner } from '../../compiler/runner-catalogue.ts';
import type { Pipeline } from '../../dsl/index.ts';

export interface ExpectedError {
  readonly messageId: string;
  /** Line in this test file where the reported node was built; checks the location is the right call. */
  readonly line?: number;
  /** Column of the reported expression, when the line alone is not precise enough. */
  readonly column?: number;
}

export interface RuleCases {
  readonly valid: readonly { readonly name: string; readonly pipeline: () => Pipeline }[];
  readonly invalid: readonly {
    readonly name: string;
    readonly pipeline: () => Pipeline;
    readonly errors: readonly ExpectedError[];
  }[];
}

/**
 * ESLint's RuleTester for idemflow rules: valid pipelines must report
 * nothing, invalid ones exactly the listed message ids (and lines), in order.
 */
export function ruleTester(rule: Rule, cases: RuleCases, runner: RunnerName = defaultRunner): void {
  describe(`${rule.meta.code} ${rule.meta.name}`, () => {
    for (const c of cases.valid) {
      it(`valid: ${c.name}`, () => {
        expect(runRules(c.pipeline().ir, [rule], runner).map((d) => d.message)).toEqual([]);
      });
    }
    for (const c of cases.invalid) {
      it(`invalid: ${c.name}`, () => {
        const found = runRules(c.pipeline().ir, [rule], runner);
        expect(found.map((d) => d.messageId)).toEqual(c.errors.map((e) => e.messageId));
        found.forEach((d, i) => {
          expect(d.code).toBe(rule.meta.code);
          expect(d.message).not.toMatch(/\{\{/);
          expect(d.fix.length).toBeGreaterThan(10);
          const line = c.errors[i]?.line;
          if (line !== undefined) expect(d.location?.line, `line of ${d.messageId}`).toBe(line);
          const column = c.errors[i]?.column;
          if (column !== undefined) expect(d.location?.column, `column of ${d.messageId}`).toBe(column);
        });
      });
    }
  });
}

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { accuracyDoc, accuracyTable, corpusCases, measureCorpus } from '../../../bench/lint-corpus.ts';
import { allRuleMeta } from '../../../compiler/lint/lint.ts';

/** Keeps the adversarial corpus and the accuracy table in docs honest. */
describe('the adversarial lint corpus', () => {
  const cases = corpusCases();

  it('has at least 80 cases, at least 40 % of them safe look-alikes, named for what they are', () => {
    expect(cases.length).toBeGreaterThanOrEqual(80);
    const safe = cases.filter((c) => c.expected.length === 0);
    expect(safe.length / cases.length).toBeGreaterThanOrEqual(0.4);
    // A file's name says which it is, so a marker cannot be dropped silently to make a miss disappear.
    for (const c of cases) expect(/(^|-)safe-/.test(c.name), c.name).toBe(c.expected.length === 0);
  });

  it('expects only codes that exist, at most once a line', () => {
    const codes = new Set<string>(allRuleMeta.map((m) => m.code));
    for (const c of cases) {
      for (const e of c.expected) expect(codes.has(e.split(' ')[0]!), `${c.name}: ${e}`).toBe(true);
      expect(new Set(c.expected).size, c.name).toBe(c.expected.length);
    }
  });

  it('docs/lint-accuracy.md holds the table the code measures now (npm run bench -- lint-corpus rewrites it)', async () => {
    const measured = await measureCorpus();
    expect(readFileSync(accuracyDoc, 'utf8')).toContain(accuracyTable(measured));
  }, 300_000);
});

import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rules } from '../../compiler/index.ts';
import { sourceRules } from '../../compiler/lint/rules/index.ts';

const root = new URL('../../', import.meta.url);

/** Keeps the registry honest (typescript-eslint's meta-tests): codes, names, files, docs and tests agree. */
describe('rule registry', () => {
  const everyRule = [...rules, ...sourceRules];

  it('codes and names are unique across pipeline and source rules, and codes follow IDEMnnn', () => {
    const codes = everyRule.map((r) => r.meta.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(new Set(everyRule.map((r) => r.meta.name)).size).toBe(everyRule.length);
    for (const c of codes) expect(c).toMatch(/^IDEM\d{3}$/);
  });

  it('every rule file is registered', () => {
    const files = readdirSync(new URL('compiler/rules/', root)).filter(
      (f) => f.endsWith('.ts') && !['index.ts', 'delivery.ts'].includes(f),
    );
    expect(files.map((f) => f.replace(/\.ts$/, '')).sort()).toEqual(rules.map((r) => r.meta.name).sort());
  });

  it('every source rule file is registered', () => {
    const files = readdirSync(new URL('compiler/lint/rules/', root)).filter(
      (f) => f.endsWith('.ts') && f !== 'index.ts',
    );
    expect(files.map((f) => f.replace(/\.ts$/, '')).sort()).toEqual(sourceRules.map((r) => r.meta.name).sort());
  });

  for (const rule of everyRule) {
    const { code, name, messages, fixes } = rule.meta;
    // Tests mirror the layout: compiler/rules/x.ts is tested in test/compiler/rules/x.test.ts, compiler/lint/rules/x.ts in
    // test/compiler/lint/rules/x.test.ts. Their docs pages are checked by test/docs/diagnostics.test.ts.
    const folder = (sourceRules as readonly unknown[]).includes(rule) ? 'compiler/lint/rules' : 'compiler/rules';
    it(`${code} ${name} has a fix for every message and a test file`, () => {
      expect(Object.keys(fixes).sort()).toEqual(Object.keys(messages).sort());
      expect(existsSync(new URL(`test/${folder}/${name}.test.ts`, root)), `test/${folder}/${name}.test.ts`).toBe(true);
    });
  }
});

import { existsSync, readdirSync, readFileSync } from 'node:fs';
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

  const lintCases = readFileSync(new URL('test/lint/lint-cases.test.ts', root), 'utf8');
  for (const rule of everyRule) {
    const { code, name, messages, fixes } = rule.meta;
    const isSourceRule = (sourceRules as readonly unknown[]).includes(rule);
    it(`${code} ${name} has a fix for every message, tests and a docs page with a before and after`, () => {
      expect(Object.keys(fixes).sort()).toEqual(Object.keys(messages).sort());
      // Pipeline rules have a RuleTester file; source rules are tested by the lint's fixture table.
      if (isSourceRule) expect(lintCases).toContain(`['${code}',`);
      else expect(existsSync(new URL(`test/rules/${name}.test.ts`, root))).toBe(true);
      const doc = new URL(`docs/diagnostics/${code}.md`, root);
      expect(existsSync(doc), `docs/diagnostics/${code}.md`).toBe(true);
      const text = readFileSync(doc, 'utf8');
      expect(text).toMatch(new RegExp(`^# ${code} ${name}`));
      for (const section of ['## What', '## Why it is wrong', '## How to fix', '### Before', '### After'])
        expect(text).toContain(section);
      expect(text.match(/```ts/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
    });
  }
});

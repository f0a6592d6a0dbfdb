import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rules } from '../../compiler/index.ts';

const root = new URL('../../', import.meta.url);

/** Keeps the registry honest (typescript-eslint's meta-tests): codes, names, files, docs and tests agree. */
describe('rule registry', () => {
  it('codes and names are unique, and codes follow IDEMnnn', () => {
    const codes = rules.map((r) => r.meta.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(new Set(rules.map((r) => r.meta.name)).size).toBe(rules.length);
    for (const c of codes) expect(c).toMatch(/^IDEM\d{3}$/);
  });

  it('every rule file is registered', () => {
    const files = readdirSync(new URL('compiler/rules/', root)).filter((f) => f.endsWith('.ts') && !['index.ts', 'delivery.ts'].includes(f));
    expect(files.map((f) => f.replace(/\.ts$/, '')).sort()).toEqual(rules.map((r) => r.meta.name).sort());
  });

  for (const rule of rules) {
    const { code, name, messages, fixes } = rule.meta;
    it(`${code} ${name} has a fix for every message, a test file and a docs page with a before and after`, () => {
      expect(Object.keys(fixes).sort()).toEqual(Object.keys(messages).sort());
      expect(existsSync(new URL(`test/rules/${name}.test.ts`, root))).toBe(true);
      const doc = new URL(`docs/diagnostics/${code}.md`, root);
      expect(existsSync(doc), `docs/diagnostics/${code}.md`).toBe(true);
      const text = readFileSync(doc, 'utf8');
      expect(text).toMatch(new RegExp(`^# ${code} ${name}`));
      for (const section of ['## What', '## Why it is wrong', '## How to fix', '### Before', '### After']) expect(text).toContain(section);
      expect(text.match(/```ts/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
    });
  }
});

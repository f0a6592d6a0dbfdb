import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rules } from '../../compiler/index.ts';
import { sourceRules } from '../../compiler/lint/rules/index.ts';

const dir = new URL('../../docs/diagnostics/', import.meta.url);
const readme = readFileSync(new URL('README.md', dir), 'utf8');
const pages = readdirSync(dir).filter((f) => /^IDEM\d{3}\.md$/.test(f));

/** The README's table: one row a code, `| [IDEMnnn](IDEMnnn.md) | name | severity | finds |`. */
const rows = readme
  .split('\n')
  .filter((line) => line.startsWith('| ['))
  .map((line) => {
    const [, link = '', name = '', severity = '', finds = ''] = line.split('|').map((cell) => cell.trim());
    const [, code = '', target = ''] = /^\[(IDEM\d{3})\]\(([^)]+)\)$/.exec(link) ?? [];
    return { link, code, target, name, severity, finds };
  });

/** A page's `###` Before / After sections in order, each with whether a code block follows before the next heading. */
function examples(text: string): { heading: 'Before' | 'After'; hasCode: boolean }[] {
  const sections = text.split(/^(?=#{1,6} )/m);
  return sections.flatMap((section) => {
    const heading = /^### (Before|After)\b/.exec(section)?.[1] as 'Before' | 'After' | undefined;
    return heading ? [{ heading, hasCode: /^```\w*\n[\s\S]*?^```/m.test(section) }] : [];
  });
}

/** Keeps docs/diagnostics/README.md honest: the index users read lists exactly the codes the lint and check report. */
describe('docs/diagnostics/README.md', () => {
  const everyRule = [...rules, ...sourceRules];

  it('lists every code of the registry once, in code order, linking to its own page', () => {
    expect(rows.map((r) => r.code)).toEqual(everyRule.map((r) => r.meta.code).sort());
    for (const row of rows) expect(row.target, row.link).toBe(`${row.code}.md`);
  });

  it('lists every page, and every listed page exists', () => {
    expect(pages.sort()).toEqual(rows.map((r) => r.target).sort());
    for (const row of rows) expect(existsSync(new URL(row.target, dir)), row.target).toBe(true);
  });

  it("gives each code its rule's name and severity, and marks the codes only `idemflow lint` reports", () => {
    for (const rule of everyRule) {
      const row = rows.find((r) => r.code === rule.meta.code);
      expect(row?.name, rule.meta.code).toBe(rule.meta.name);
      expect(row?.severity.split(' ')[0], rule.meta.code).toBe(rule.meta.severity);
      const sourceOnly = (sourceRules as readonly unknown[]).includes(rule);
      expect(row?.severity.includes('(lint)'), `${rule.meta.code} marked (lint)`).toBe(sourceOnly);
      expect(row?.finds.length, `${rule.meta.code} says what it finds`).toBeGreaterThan(20);
    }
  });

  for (const page of pages) {
    it(`${page} has its title, severity and sections, and every Before is followed by an After, each with code`, () => {
      const text = readFileSync(new URL(page, dir), 'utf8');
      const rule = everyRule.find((r) => `${r.meta.code}.md` === page);
      expect(rule, `${page} belongs to a registered rule`).toBeDefined();
      expect(text.split('\n')[0]).toBe(`# ${rule!.meta.code} ${rule!.meta.name}`);
      expect(text).toMatch(new RegExp(`^\\*\\*Severity:\\*\\* ${rule!.meta.severity}\\b`, 'm'));
      for (const section of ['## What', '## Why it is wrong', '## How to fix'])
        expect(text, section).toMatch(new RegExp(`^${section}$`, 'm'));
      const found = examples(text);
      expect(found.length, 'Before / After sections').toBeGreaterThanOrEqual(2);
      found.forEach((example, i) => {
        expect(example.heading, `section ${i + 1}`).toBe(i % 2 === 0 ? 'Before' : 'After');
        expect(example.hasCode, `${example.heading} (section ${i + 1}) has a code block`).toBe(true);
      });
      expect(found.length % 2, 'the last Before has its After').toBe(0);
    });
  }
});

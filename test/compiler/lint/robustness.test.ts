import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintProject, loadLintProject } from '../../../compiler/lint/lint.ts';
import { sourceRules } from '../../../compiler/lint/rules/index.ts';
import { defineSourceRule } from '../../../compiler/lint/source-rule.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

const placed = (f: { code: string; messageId: string; location: { file: string; line: number; column: number } }) =>
  `${f.code} ${f.messageId} ${f.location.file.split('/').pop()}:${f.location.line}:${f.location.column}`;

/** A project with a tsconfig of its own (no allowJs), a JavaScript repository class and a TypeScript file. */
function jsProject(): { dir: string; files: string[]; tsconfig: string } {
  const dir = tempDir();
  const tsconfig = join(dir, 'tsconfig.json');
  writeFileSync(tsconfig, JSON.stringify({ compilerOptions: { strict: true, target: 'ES2022', module: 'NodeNext' } }));
  writeFileSync(
    join(dir, 'repo.js'),
    [
      "const cassandra = require('cassandra-driver');",
      "const bump = 'UPDATE ks.hits SET n = n + 1 WHERE page = ?';",
      'class Repo {',
      '  constructor(client) { this.client = client; }',
      '  async hit(page) {',
      '    return this.client.execute(bump, [page], { prepare: true, isIdempotent: true });',
      '  }',
      '}',
      'module.exports = Repo;',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'other.ts'),
    "export async function save(client: { execute(q: string, p: unknown[], o: object): Promise<void> }, page: string) {\n  await client.execute('UPDATE ks.hits SET n = n + 1 WHERE page = ?', [page], { isIdempotent: true });\n}\n",
  );
  return { dir, files: [join(dir, 'other.ts'), join(dir, 'repo.js')], tsconfig };
}

describe('the lint never crashes and never reports a silent clean', () => {
  it('a JavaScript class method calling .execute(identifier) under a tsconfig without allowJs is linted (it crashed the whole run)', () => {
    const { files, tsconfig } = jsProject();
    const result = lintProject(loadLintProject(files, tsconfig), files);
    expect(result.findings.map(placed)).toEqual([
      'IDEM010 idempotentFlag other.ts:2:16',
      'IDEM010 idempotentFlag repo.js:6:24',
    ]);
  });

  it("a file with a syntax error is an IDEM015 error at the parser's place; the other files are still reported", () => {
    const { dir, files, tsconfig } = jsProject();
    const broken = join(dir, 'broken.ts');
    writeFileSync(
      broken,
      "import { source } from 'idemflow';\nexport default source.kafka({ topic: 't' }\n  .groupBy((e) => e.k\n",
    );
    const all = [broken, ...files];
    const result = lintProject(loadLintProject(all, tsconfig), all);
    expect(result.findings.map(placed)).toEqual([
      'IDEM015 syntaxError broken.ts:4:1',
      'IDEM010 idempotentFlag other.ts:2:16',
      'IDEM010 idempotentFlag repo.js:6:24',
    ]);
    expect(result.findings[0]!.severity).toBe('error');
    expect(result.findings[0]!.message).toContain("TS1005: ')' expected.");
  });

  it('the analyser failing on one file is an IDEM015 error naming the failure for that file; the rest is reported', () => {
    const { files, tsconfig } = jsProject();
    const failing = defineSourceRule<'x'>({
      meta: {
        code: 'IDEM999',
        name: 'throws-on-js',
        severity: 'error',
        description: '',
        messages: { x: '' },
        fixes: { x: '' },
      },
      check(file) {
        if (file.getFilePath().endsWith('.js'))
          throw new TypeError("Cannot read properties of undefined (reading 'members')");
      },
    });
    const seen: string[] = [];
    const result = lintProject(loadLintProject(files, tsconfig), files, {
      sourceRules: [...sourceRules, failing],
      onInternalError: (file) => seen.push(file),
    });
    expect(result.findings.map(placed)).toEqual([
      'IDEM010 idempotentFlag other.ts:2:16',
      'IDEM015 internalError repo.js:1:1',
    ]);
    expect(result.findings[1]!.message).toContain("TypeError: Cannot read properties of undefined (reading 'members')");
    expect(seen).toEqual([files[1]]);
  });

  it('a file missing from the program is an IDEM015 error, not skipped', () => {
    const { dir, files, tsconfig } = jsProject();
    const project = loadLintProject(files, tsconfig);
    const missing = join(dir, 'never-added.ts');
    const result = lintProject(project, [...files, missing]);
    expect(result.findings.map(placed)).toContain('IDEM015 notLoaded never-added.ts:1:1');
  });
});

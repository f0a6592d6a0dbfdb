import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { helperFiles, pipelineFile } from '../../bench/lint.ts';
import { lintProject, loadLintProject } from '../../compiler/lint/lint.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const dir = join(repo, '.idemflow', 'test-bench-lint');

/** The lint benchmark claims its findings are exactly the planted bugs; check that on a few of its files. */
describe("the lint benchmark's generated files", () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('type-check, and the lint finds exactly the planted bugs', () => {
    mkdirSync(dir, { recursive: true });
    for (const [name, text] of Object.entries(helperFiles())) writeFileSync(join(dir, name), text);
    const files = [0, 1, 2, 3].map((i) => {
      const path = join(dir, `pipeline-${i}.ts`);
      writeFileSync(path, pipelineFile(i));
      return path;
    });
    const project = loadLintProject(files, join(repo, 'tsconfig.json'));
    const program = project.getProgram().compilerObject;
    expect(
      files.flatMap((f) => program.getSemanticDiagnostics(program.getSourceFile(f)).map((d) => d.messageText)),
    ).toEqual([]);
    const result = lintProject(project, files);
    expect(result.pipelines).toBe(8);
    const found = result.findings.map((f) => `${f.location.file.slice(dir.length + 1)} ${f.code}`).sort();
    // file 0: a counter (retries, Kafka, archive replay) and a floating write; file 1: a clock-derived group key.
    expect(found).toEqual([
      'pipeline-0.ts IDEM001',
      'pipeline-0.ts IDEM001',
      'pipeline-0.ts IDEM001',
      'pipeline-0.ts IDEM012',
      'pipeline-1.ts IDEM003',
    ]);
  }, 120_000);
});

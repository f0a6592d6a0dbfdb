import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadPipelines, resolveFiles } from '../../../cli/load-pipelines.ts';
import { reportOf } from '../../../cli/report.ts';
import { corpusCases } from '../../../bench/lint-corpus.ts';
import { lintProject, loadLintProject } from '../../../compiler/lint/lint.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * The lint reads pipelines without running them; `check` runs them. Over the
 * repository's own pipelines (helpers across files, constants, imports) both
 * must find the same codes at the same places.
 */
describe('lint and check agree on the shipped pipelines', () => {
  it('same findings, same file:line:column', async () => {
    const files = (await resolveFiles([`${root}pipelines`])).map((f) => f.path);
    const loaded = (await Promise.all(files.map((f) => loadPipelines(f, false)))).flat();
    expect(loaded.length).toBeGreaterThanOrEqual(10);
    const key = (code: string, l: { file: string; line: number; column: number } | undefined) =>
      `${code} ${l?.file}:${l?.line}:${l?.column}`;
    const checked = new Set(loaded.flatMap((p) => reportOf(p).diagnostics.map((d) => key(d.code, d.location))));
    const linted = lintProject(loadLintProject(files, `${root}tsconfig.json`), files);
    expect(linted.pipelines).toBe(loaded.length);
    expect(new Set(linted.findings.map((f) => key(f.code, f.location)))).toEqual(checked);
  }, 120_000);
});

/** The same promise over the adversarial corpus's pipeline cases: helpers, const specs, sink keys, filters, custom sinks. */
describe('lint and check agree on every DSL case of the corpus', () => {
  it('same findings, same file:line:column', async () => {
    const files = corpusCases()
      .filter((c) => c.pipeline)
      .map((c) => c.file);
    expect(files.length).toBeGreaterThanOrEqual(25);
    const key = (code: string, l: { file: string; line: number; column: number } | undefined) =>
      `${code} ${l?.file.split('/').pop()}:${l?.line}:${l?.column}`;
    const loaded = (await Promise.all(files.map((f) => loadPipelines(f)))).flat();
    const checked = new Set(loaded.flatMap((p) => reportOf(p).diagnostics.map((d) => key(d.code, d.location))));
    const linted = new Set(
      lintProject(loadLintProject(files, `${root}tsconfig.json`), files).findings.map((f) => key(f.code, f.location)),
    );
    // IDEM017 (a call the analysis did not follow) is said by both where check can read the source too
    // (a helper declared without a body); only the lint says it where it alone reads the source.
    const isNote = (k: string) => k.startsWith('IDEM017 ');
    expect(new Set([...linted].filter((k) => !isNote(k)))).toEqual(new Set([...checked].filter((k) => !isNote(k))));
    for (const note of [...checked].filter(isNote)) expect(linted, note).toContain(note);
    expect(checked.size).toBeGreaterThanOrEqual(20);
  }, 180_000);
});

/** The second target's sink, `jsonl.upsert`: read statically as the DSL builds it, so both commands say the same. */
describe('lint and check agree on pipelines into a JSONL file', () => {
  it('same pipelines, same findings, same file:line:column', async () => {
    const files = ['jsonl-counts.ts', 'jsonl-keys.ts'].map((f) => `${root}test/fixtures/connectors/${f}`);
    const loaded = (await Promise.all(files.map((f) => loadPipelines(f, false)))).flat();
    expect(loaded.length).toBe(3);
    const key = (code: string, l: { file: string; line: number; column: number } | undefined) =>
      `${code} ${l?.file.split('/').pop()}:${l?.line}:${l?.column}`;
    const checked = new Set(loaded.flatMap((p) => reportOf(p).diagnostics.map((d) => key(d.code, d.location))));
    const linted = lintProject(loadLintProject(files, `${root}tsconfig.json`), files);
    expect(linted.pipelines).toBe(loaded.length);
    expect(new Set(linted.findings.map((f) => key(f.code, f.location)))).toEqual(checked);
    // The key without the window is found by both, at the jsonl.upsert call.
    expect([...checked].filter((k) => k.startsWith('IDEM004 '))).toEqual(['IDEM004 jsonl-keys.ts:19:9']);
  }, 120_000);
});

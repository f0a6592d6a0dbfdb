import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { corpusCases } from '../../bench/lint-corpus.ts';
import { loadPipelines, resolveFiles } from '../../cli/load-pipelines.ts';
import { loadLintProject } from '../../compiler/lint/lint.ts';
import { pipelinesInFile } from '../../compiler/lint/pipelines-in-file.ts';
import { StaticEvaluator } from '../../compiler/lint/static-eval.ts';
import { PipelineNode } from '../../compiler/ir/index.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const everyCall = `${root}test/fixtures/ir-parity/every-call.ts`;

/**
 * The IR as both front ends can know it. Functions: the DSL keeps a live
 * function and its compiled text, the lint the text as written and where it
 * starts, so only their place in the tree is compared. A schema's vendor and
 * an in-memory source's records (their count, their fields) are known only by
 * running the code.
 */
function comparable(pipeline: PipelineNode): unknown {
  return JSON.parse(
    JSON.stringify(pipeline, (key, value: unknown) => {
      const node = value as { kind?: string; connector?: string } | null;
      if (node?.kind === 'Fn') return 'Fn';
      if (node?.kind === 'Parse') return { ...node, vendor: 'schema' };
      if (node?.kind === 'Source' && node.connector === 'memory') return { ...node, options: {}, knownFields: [] };
      return value;
    }),
  );
}

/** What the lint cannot know without running the code (a broker list from the environment): `<dynamic>`, or NaN. */
const unknowable = (value: unknown) => value === '<dynamic>' || value === null;

/** `built`, with each value the lint could not read replaced by what the lint says there. */
function maskUnknowable(read: unknown, built: unknown): unknown {
  if (unknowable(read)) return read;
  if (Array.isArray(read) && Array.isArray(built)) return built.map((b, i) => maskUnknowable(read[i], b));
  if (read && built && typeof read === 'object' && typeof built === 'object') {
    const r = read as Record<string, unknown>;
    return Object.fromEntries(Object.entries(built).map(([k, v]) => [k, maskUnknowable(r[k], v)]));
  }
  return built;
}

async function bothWays(files: readonly string[]): Promise<{ built: unknown[]; read: unknown[] }> {
  const byPlace = (a: PipelineNode, b: PipelineNode) =>
    `${a.location?.file}`.localeCompare(`${b.location?.file}`) || (a.location?.line ?? 0) - (b.location?.line ?? 0);
  const loaded = (await Promise.all(files.map((f) => loadPipelines(f, false)))).flat();
  const project = loadLintProject(files, `${root}tsconfig.json`);
  const evaluator = new StaticEvaluator();
  const read = files.flatMap((f) => pipelinesInFile(project.getSourceFileOrThrow(f), evaluator));
  return {
    // The loader tells several pipelines of a file apart by their export (`counts#hourly`); the DSL did not.
    built: loaded
      .map((p) => PipelineNode.cloneWithName(p.pipeline.ir, p.pipeline.name.replace(`#${p.exportName}`, '')))
      .sort(byPlace)
      .map(comparable),
    read: read.sort(byPlace).map(comparable),
  };
}

describe('the DSL and the lint build the same IR from the same calls', () => {
  it('every DSL call, with its options and their defaults', async () => {
    const { built, read } = await bothWays([everyCall]);
    expect(built.length).toBe(8);
    // Every value in this file is a literal: the lint reads them all.
    expect(JSON.stringify(read)).not.toMatch(/<dynamic>|null/);
    for (let i = 0; i < built.length; i++) expect(read[i]).toEqual(built[i]);
    expect(read).toHaveLength(built.length);
  }, 60_000);

  it('the shipped pipelines and the corpus cases', async () => {
    const shipped = (await resolveFiles([`${root}pipelines`])).map((f) => f.path);
    const corpus = corpusCases()
      .filter((c) => c.pipeline)
      .map((c) => c.file);
    const { built, read } = await bothWays([...shipped, ...corpus]);
    expect(built.length).toBeGreaterThanOrEqual(35);
    expect(read).toHaveLength(built.length);
    // Connection settings from the environment (pipelines/config.ts) are known only when the code runs.
    expect(read).toEqual(built.map((b, i) => maskUnknowable(read[i], b)));
  }, 180_000);
});

import { existsSync, statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { isPipeline, type Pipeline } from '../dsl/index.ts';
import { importUserModule } from './import-module.ts';
import { LoadError, UsageError } from './usage-error.ts';

export interface LoadedPipeline {
  /** The file, relative to the working directory. */
  readonly file: string;
  readonly exportName: string;
  readonly pipeline: Pipeline;
}

export interface ResolvedFile {
  readonly path: string;
  /** Named on the command line, as opposed to found by a glob or in a folder. */
  readonly explicit: boolean;
}

/** Expands files, folders (their files matching `folderGlob`) and globs, in a stable order. A plain path that does not exist is an error, as is a glob that matches nothing. */
export async function resolveFiles(
  patterns: readonly string[],
  folderGlob = '**/*.{ts,mts,cts,js,mjs,cjs}',
): Promise<ResolvedFile[]> {
  if (patterns.length === 0) throw new UsageError('no pipeline files given (e.g. idemflow check pipelines/*.ts)');
  const files = new Map<string, boolean>();
  for (const pattern of patterns) {
    if (!isDynamicPattern(pattern)) {
      if (!existsSync(pattern)) throw new LoadError(pattern, 'file not found');
      if (statSync(pattern).isDirectory()) {
        (await glob(folderGlob, { cwd: pattern, absolute: true, ignore: ['**/node_modules/**'] })).forEach((f) =>
          files.set(f, files.get(f) ?? false),
        );
        continue;
      }
      files.set(resolve(pattern), true);
      continue;
    }
    const matched = await glob(pattern, { absolute: true, ignore: ['**/node_modules/**'] });
    if (matched.length === 0) throw new UsageError(`${pattern}: no files match`);
    matched.forEach((f) => files.set(f, files.get(f) ?? false));
  }
  return [...files].sort(([a], [b]) => a.localeCompare(b)).map(([path, explicit]) => ({ path, explicit }));
}

/** esbuild's (through tsx) message for a file that does not parse: `file:line:col: ERROR: text`, col 0-based. */
const parserError = /^(.+?):(\d+):(\d+): ERROR: (.+)$/m;

/** The first line of what went wrong; for a file that does not parse, the parser's message at file:line:col (1-based). */
function describeCause(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const parser = parserError.exec(message);
  if (parser) {
    const [, file, line, column, text] = parser;
    return `${relative(process.cwd(), file!) || file}:${line}:${Number(column) + 1}: ${text}`;
  }
  return message.split('\n')[0] || (error instanceof Error ? error.name : message);
}

/**
 * Imports a pipeline file (TypeScript is compiled on the fly) and returns
 * every pipeline it exports. A file that exports none is an error when it
 * was named, and skipped when a glob found it (schemas, config, helpers).
 */
export async function loadPipelines(absoluteFile: string, explicit = true): Promise<LoadedPipeline[]> {
  const file = relative(process.cwd(), absoluteFile) || absoluteFile;
  let module: Record<string, unknown>;
  try {
    module = await importUserModule(absoluteFile);
  } catch (error) {
    throw new LoadError(file, `failed to load: ${describeCause(error)}`, { cause: error });
  }
  const found = Object.entries(module)
    .filter(([, value]) => isPipeline(value))
    .map(([exportName, value]) => ({ file, exportName, pipeline: value as Pipeline }));
  if (found.length === 0) {
    if (!explicit) return [];
    throw new LoadError(file, 'exports no pipeline (export default source.…().sink(…), or a named export of one)');
  }
  // Two exports of one file with the same name would be indistinguishable in reports.
  const names = new Map<string, number>();
  found.forEach((p) => names.set(p.pipeline.name, (names.get(p.pipeline.name) ?? 0) + 1));
  return found.map((p) =>
    (names.get(p.pipeline.name) ?? 0) > 1 && p.exportName !== 'default'
      ? { ...p, pipeline: p.pipeline.named(`${p.pipeline.name}#${p.exportName}`) }
      : p,
  );
}

/** Loads every file; a file that fails stops the command (exit 2) with its one-line reason. */
export async function loadAll(patterns: readonly string[]): Promise<LoadedPipeline[]> {
  const loaded: LoadedPipeline[] = [];
  for (const file of await resolveFiles(patterns)) loaded.push(...(await loadPipelines(file.path, file.explicit)));
  if (loaded.length === 0) throw new UsageError(`no pipelines found in ${patterns.join(' ')}`);
  return loaded;
}

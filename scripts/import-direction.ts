// The one direction of imports between idemflow's folders (docs/architecture.md), checked over the
// import graph of every TypeScript file outside test/. `test/scripts/import-direction.test.ts` runs it
// in `npm test`, so a new edge against the direction fails before it lands.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative, sep } from 'node:path';
import ts from 'typescript';

/** One relative import: both ends as paths from the repository root, with `/`. */
export interface ImportEdge {
  readonly from: string;
  readonly to: string;
}

/** An edge against the direction, and the rule it breaks. */
export interface DirectionViolation extends ImportEdge {
  readonly rule: string;
}

/** Folders never read: tests may import anything, the rest is not ours or not source. */
const skipped = new Set(['node_modules', 'dist', 'test', '.git']);
const sourceFile = /\.(ts|mts|cts|mjs)$/;

function sourceFiles(root: string, dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return skipped.has(entry.name) ? [] : sourceFiles(root, path);
    return sourceFile.test(entry.name) && !entry.name.endsWith('.d.ts') ? [relative(root, path)] : [];
  });
}

/**
 * The relative imports of every source file under `root`: static, `export … from`, `import type` and
 * `import()` alike (the TypeScript pre-processor reads them without parsing the file; text in comments
 * and ordinary strings is not an import). Package imports are not edges between our folders.
 */
export function importEdges(root: string): ImportEdge[] {
  return sourceFiles(root).flatMap((file) => {
    const from = file.split(sep).join('/');
    const { importedFiles } = ts.preProcessFile(readFileSync(join(root, file), 'utf8'), true, true);
    return importedFiles
      .filter((i) => i.fileName.startsWith('.'))
      .map((i) => ({ from, to: posix.normalize(posix.join(dirname(from), i.fileName)) }));
  });
}

/** `runners/local/x.ts` → `local`; files directly in runners/ (the Runner interface) belong to no runner. */
function runnerOf(path: string): string | undefined {
  const parts = path.split('/');
  return parts[0] === 'runners' && parts.length > 2 ? parts[1] : undefined;
}

const top = (path: string): string => path.split('/')[0] ?? '';

/** Folders beneath the CLI: the CLI uses them, never the other way round. */
const belowCli = new Set(['dsl', 'compiler', 'runtime', 'runners', 'connectors', 'scripts']);

/** The connector folders of stream inputs: a runner reaches them through `connectors/inputs.ts`. */
const streamFolders: ReadonlySet<string> = new Set(['connectors/kafka', 'connectors/socket']);

/** Each rule: a name, and whether an edge breaks it. */
const rules: readonly { readonly name: string; readonly breaks: (e: ImportEdge) => boolean }[] = [
  {
    name: 'no runner imports another runner',
    breaks: (e) =>
      runnerOf(e.from) !== undefined && runnerOf(e.to) !== undefined && runnerOf(e.from) !== runnerOf(e.to),
  },
  { name: 'the runtime imports no runner', breaks: (e) => top(e.from) === 'runtime' && top(e.to) === 'runners' },
  {
    // Connectors implement the runtime's interfaces (SourceReader, TargetConnector, RepairTarget), as Kysely's
    // dialects implement its Dialect; the runtime asks for them through those interfaces and names none.
    name: 'the runtime imports no connector',
    breaks: (e) => top(e.from) === 'runtime' && top(e.to) === 'connectors',
  },
  {
    // Streams are opened through their connector (InputConnector, by `connectors/inputs.ts`), as sink targets are
    // through TargetConnector: a runner that built a Kafka consumer or a socket receiver itself would hold its client.
    name: 'a runner opens a stream only through its input connector',
    breaks: (e) => runnerOf(e.from) !== undefined && streamFolders.has(e.to.split('/').slice(0, 2).join('/')),
  },
  { name: 'no connector imports a runner', breaks: (e) => top(e.from) === 'connectors' && top(e.to) === 'runners' },
  { name: 'no connector imports the CLI', breaks: (e) => top(e.from) === 'connectors' && top(e.to) === 'cli' },
  { name: 'the compiler does not import the DSL', breaks: (e) => top(e.from) === 'compiler' && top(e.to) === 'dsl' },
  { name: 'nothing beneath the CLI imports it', breaks: (e) => belowCli.has(top(e.from)) && top(e.to) === 'cli' },
];

/** Every edge against the direction (once, however often the file imports it), with the first rule it breaks. */
export function directionViolations(edges: readonly ImportEdge[]): DirectionViolation[] {
  const unique = new Map(edges.map((e) => [edgeName(e), e]));
  return [...unique.values()]
    .flatMap((e) => {
      const rule = rules.find((r) => r.breaks(e));
      return rule ? [{ ...e, rule: rule.name }] : [];
    })
    .sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
}

/** `from -> to`, the form the allow-list names an edge in. */
export const edgeName = (e: ImportEdge): string => `${e.from} -> ${e.to}`;

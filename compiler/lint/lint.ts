import { Project, ts, type SourceFile } from 'ts-morph';
import { fromProgram, type ProgramSource } from '../analysis/call-graph/program-source.ts';
import { offsetLocation } from '../analysis/offset-location.ts';
import { runRules, type RunnerName } from '../compile.ts';
import { defaultRunner } from '../runner-catalogue.ts';
import type { SourceLocation } from '../ir/index.ts';
import { diagnosticOf, type Diagnostic, type RuleMeta } from '../rule.ts';
import { rules as pipelineRules } from '../rules/index.ts';
import { driverCalls, type DriverCall } from './driver/driver-calls.ts';
import type { LintConfig } from './lint-config.ts';
import { locationOf } from './location.ts';
import { pipelinesInFile } from './pipelines-in-file.ts';
import { sourceRules } from './rules/index.ts';
import type { SourceRule } from './source-rule.ts';
import fileNotAnalyzedRule from './rules/file-not-analyzed.ts';
import suppressionRule from './rules/suppression-without-reason.ts';
import { StaticEvaluator } from './static-eval.ts';
import { suppressionsIn } from './suppressions.ts';
import { TableKeys } from './table-keys.ts';

/** A finding of the lint: always placed, and marked when a comment suppressed it (kept for SARIF). */
export interface LintFinding extends Diagnostic {
  readonly location: SourceLocation;
  readonly suppressed?: { readonly justification: string };
}

export interface LintResult {
  readonly files: readonly string[];
  readonly pipelines: number;
  readonly findings: readonly LintFinding[];
  /** The tsconfig.json files whose compiler options were used (empty: the built-in defaults), when the caller says. */
  readonly tsconfigs?: readonly string[];
  /** Test and example files left out (see --include-tests), when the caller says. */
  readonly skippedTests?: number;
}

const byPlace = (a: LintFinding, b: LintFinding) =>
  a.location.file.localeCompare(b.location.file) ||
  a.location.line - b.location.line ||
  a.location.column - b.location.column ||
  a.code.localeCompare(b.code);

/** Results of several projects (one a tsconfig) as one. */
export function mergeLintResults(results: readonly LintResult[]): LintResult {
  return {
    files: results.flatMap((r) => r.files).sort(),
    pipelines: results.reduce((n, r) => n + r.pipelines, 0),
    findings: results.flatMap((r) => r.findings).sort(byPlace),
  };
}

export interface LintOptions {
  readonly config?: LintConfig;
  readonly runner?: RunnerName;
  /** Called after each file, for progress output on long runs. */
  readonly onFile?: (done: number, total: number) => void;
  /** Called when the analyser fails on a file (reported as IDEM015): e.g. to print the stack with --verbose. */
  readonly onInternalError?: (file: string, error: unknown) => void;
  /** The source rules to run (default: all of them). */
  readonly sourceRules?: readonly SourceRule[];
}

/** Every rule's meta, pipeline rules then driver rules: for docs, SARIF and config validation. */
export const allRuleMeta: readonly RuleMeta<string>[] = [
  ...pipelineRules.map((r) => r.meta),
  ...sourceRules.map((r) => r.meta),
];

/**
 * A ts-morph project holding the files to lint (and, through the type
 * checker, whatever they import). With a tsconfig its compiler options and
 * module resolution are the project's own; its file list is not loaded, so
 * linting a few changed files of a big repository stays cheap.
 */
export function loadLintProject(files: readonly string[], tsconfig?: string): Project {
  // allowJs always: a JavaScript file outside the program has no symbols, and asking for one crashes the checker.
  const project = tsconfig
    ? new Project({
        tsConfigFilePath: tsconfig,
        skipAddingFilesFromTsConfig: true,
        compilerOptions: { allowJs: true, checkJs: false },
      })
    : new Project({
        compilerOptions: {
          allowJs: true,
          strict: true,
          skipLibCheck: true,
          noEmit: true,
          allowImportingTsExtensions: true,
          target: ts.ScriptTarget.ES2022,
          module: ts.ModuleKind.NodeNext,
          moduleResolution: ts.ModuleResolutionKind.NodeNext,
        },
      });
  for (const file of files) if (!file.endsWith('.cql')) project.addSourceFileAtPath(file);
  // Builds the program and binds it now (ts-morph does both lazily, on the first symbol asked for), so per-file times measure the lint alone.
  project.getProgram().compilerObject.getTypeChecker();
  return project;
}

/** The files a tsconfig.json includes (its `files`, `include` and `exclude`), without loading them. */
export function tsconfigFiles(tsconfig: string): string[] {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    tsconfig,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(`${tsconfig}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
      },
    },
  );
  return parsed?.fileNames ?? [];
}

function finding(
  meta: RuleMeta<string>,
  messageId: string,
  location: SourceLocation,
  data?: Readonly<Record<string, string | number>>,
): LintFinding {
  return { ...diagnosticOf(meta, messageId, location, data), location };
}

interface FileContext {
  readonly evaluator: StaticEvaluator;
  readonly tables: TableKeys;
  readonly options: LintOptions;
  readonly programs: ProgramSource;
}

function lintFile(
  file: SourceFile,
  { evaluator, tables, options, programs }: FileContext,
): { findings: LintFinding[]; pipelines: number } {
  const findings: LintFinding[] = [];
  const pipelines = pipelinesInFile(file, evaluator);
  for (const pipeline of pipelines) {
    for (const d of runRules(pipeline, pipelineRules, options.runner ?? defaultRunner, programs))
      findings.push({ ...d, location: d.location ?? pipeline.location! });
  }
  let calls: DriverCall[] | undefined;
  for (const rule of options.sourceRules ?? sourceRules) {
    rule.check(file, {
      evaluator,
      primaryKey: (table) => tables.keyOf(table, file.getFilePath()),
      setAndMapColumns: (table) => tables.setAndMapColumns(table),
      driverCalls: () => (calls ??= driverCalls(file, evaluator)),
      report({ messageId, node, offset, data, severity, as }) {
        const at = locationOf(node);
        const found = finding(
          as?.meta ?? rule.meta,
          as?.messageId ?? messageId,
          offset === undefined ? at : offsetLocation(at, node.getText(), offset),
          data,
        );
        findings.push(severity ? { ...found, severity } : found);
      },
    });
  }
  return { findings, pipelines: pipelines.length };
}

const firstLine = (error: unknown) =>
  (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).split('\n')[0]!;

/**
 * One file's findings, or why it could not be checked: a syntax error, a
 * file missing from the program, or the analyser's own failure become an
 * IDEM015 error for that file, and the other files are still linted.
 */
function lintFileSafely(
  project: Project,
  path: string,
  context: FileContext,
): { findings: LintFinding[]; pipelines: number } {
  const meta = fileNotAnalyzedRule.meta;
  const start = { file: path, line: 1, column: 1 };
  const file = project.getSourceFile(path);
  if (!file)
    return {
      findings: [
        finding(meta, 'notLoaded', start, { message: 'not a TypeScript or JavaScript source the compiler accepted' }),
      ],
      pipelines: 0,
    };
  const syntax = project.getProgram().getSyntacticDiagnostics(file)[0];
  if (syntax) {
    const { line, column } = file.getLineAndColumnAtPos(syntax.getStart() ?? 0);
    const message = ts.flattenDiagnosticMessageText(syntax.getMessageText() as string | ts.DiagnosticMessageChain, ' ');
    return {
      findings: [
        finding(meta, 'syntaxError', { file: path, line, column }, { message: `TS${syntax.getCode()}: ${message}` }),
      ],
      pipelines: 0,
    };
  }
  try {
    return lintFile(file, context);
  } catch (error) {
    context.options.onInternalError?.(path, error);
    return { findings: [finding(meta, 'internalError', start, { message: firstLine(error) })], pipelines: 0 };
  }
}

const sameFinding = (f: LintFinding) =>
  `${f.code}\u0000${f.location.file}\u0000${f.location.line}\u0000${f.location.column}\u0000${f.message}`;

/** A directive-looking line inside a multi-line string or template (help text, docs) is not a comment. */
function insideLiteral(file: SourceFile, at: SourceLocation): boolean {
  const pos = file.compilerNode.getPositionOfLineAndCharacter(at.line - 1, at.column - 1);
  const kind = file.getDescendantAtPos(pos)?.getKind();
  return (
    kind === ts.SyntaxKind.NoSubstitutionTemplateLiteral ||
    kind === ts.SyntaxKind.TemplateHead ||
    kind === ts.SyntaxKind.TemplateMiddle ||
    kind === ts.SyntaxKind.TemplateTail ||
    kind === ts.SyntaxKind.StringLiteral
  );
}

/** Applies `// idemflow-disable-next-line` comments of every file a finding is in; reports bad or unused ones. */
function applySuppressions(
  findings: readonly LintFinding[],
  lintedFiles: readonly string[],
  project: Project,
  knownCodes: ReadonlySet<string>,
): LintFinding[] {
  const out: LintFinding[] = [];
  const files = new Set([...lintedFiles.filter((f) => !f.endsWith('.cql')), ...findings.map((f) => f.location.file)]);
  const byFile = new Map<string, LintFinding[]>();
  for (const f of findings) byFile.set(f.location.file, [...(byFile.get(f.location.file) ?? []), f]);
  for (const file of files) {
    const source = project.getSourceFile(file);
    const here = byFile.get(file) ?? [];
    const suppressed = new Map<LintFinding, string>();
    for (const s of source
      ? suppressionsIn(file, source.getFullText()).filter((d) => !insideLiteral(source, d.location))
      : []) {
      const codes = s.codes.join(', ') || '(no code)';
      const unknown = s.codes.filter((c) => !knownCodes.has(c));
      if (s.codes.length === 0 || unknown.length > 0) {
        out.push(
          finding(suppressionRule.meta, 'unknownCode', s.location, { codes: unknown.join(', ') || '(no code)' }),
        );
        continue;
      }
      if (s.reason === '') {
        out.push(finding(suppressionRule.meta, 'missingReason', s.location, { codes }));
        continue;
      }
      const targets = here.filter((f) => f.location.line === s.location.line + 1 && s.codes.includes(f.code));
      if (targets.length === 0) out.push(finding(suppressionRule.meta, 'unused', s.location, { codes }));
      for (const t of targets) suppressed.set(t, s.reason);
    }
    for (const f of here) out.push(suppressed.has(f) ? { ...f, suppressed: { justification: suppressed.get(f)! } } : f);
  }
  return out;
}

function applyConfig(findings: readonly LintFinding[], config: LintConfig | undefined): LintFinding[] {
  const rules = config?.rules ?? {};
  return findings.flatMap((f) => {
    const severity = rules[f.code];
    if (severity === 'off') return [];
    return [severity ? { ...f, severity: severity } : f];
  });
}

/**
 * Lints files without executing them: idemflow pipelines are read into IR
 * and checked by the compiler's rules; driver code is checked by the source
 * rules. Findings are de-duplicated (a shared sink spec is one finding),
 * configured, suppressed, and sorted by place.
 */
export function lintProject(project: Project, files: readonly string[], options: LintOptions = {}): LintResult {
  const evaluator = new StaticEvaluator();
  // ts-morph bundles its own TypeScript; its syntax kinds are the same as the compiler's (the call graph only reads nodes).
  const programs = fromProgram(project.getProgram().compilerObject as unknown as Parameters<typeof fromProgram>[0]);
  const tables = new TableKeys(project, files);
  const raw: LintFinding[] = [];
  let pipelines = 0;
  files.forEach((path, index) => {
    if (!path.endsWith('.cql')) {
      const result = lintFileSafely(project, path, { evaluator, tables, options, programs });
      raw.push(...result.findings);
      pipelines += result.pipelines;
    }
    options.onFile?.(index + 1, files.length);
  });
  const unique = [...new Map(raw.map((f) => [sameFinding(f), f])).values()];
  const knownCodes = new Set(allRuleMeta.map((m) => m.code));
  const findings = applyConfig(applySuppressions(unique, files, project, knownCodes), options.config);
  findings.sort(byPlace);
  return { files, pipelines, findings };
}

import { displayPath, lintCounts, type LintFormatter } from './lint-formatter.ts';

/** Machine-readable: every finding (suppressed ones marked) with code, place, message and fix, and the counts. */
export const json: LintFormatter = (result) =>
  JSON.stringify(
    {
      files: result.files.length,
      pipelines: result.pipelines,
      ...(result.tsconfigs ? { tsconfigs: result.tsconfigs.map(displayPath) } : {}),
      ...(result.skippedTests !== undefined ? { skippedTests: result.skippedTests } : {}),
      summary: lintCounts(result),
      findings: result.findings.map((f) => ({
        code: f.code,
        rule: f.rule,
        severity: f.severity,
        file: displayPath(f.location.file),
        line: f.location.line,
        column: f.location.column,
        message: f.message,
        fix: f.fix,
        ...(f.suppressed ? { suppressed: f.suppressed.justification } : {}),
      })),
    },
    undefined,
    2,
  );

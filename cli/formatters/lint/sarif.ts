import { pathToFileURL } from 'node:url';
import type * as Sarif from 'sarif';
import { allRuleMeta } from '../../../compiler/lint/lint.ts';
import type { Severity } from '../../../compiler/index.ts';
import { packageVersion as version } from '../../../compiler/package-files.ts';
import { displayPath, type LintFormatter } from './lint-formatter.ts';

const level: Readonly<Record<Severity, Sarif.Result.level>> = { error: 'error', warning: 'warning', note: 'note' };

function ruleDescriptor(meta: (typeof allRuleMeta)[number]): Sarif.ReportingDescriptor {
  const fixes = [...new Set(Object.values(meta.fixes))];
  return {
    id: meta.code,
    name: meta.name,
    shortDescription: { text: meta.description },
    fullDescription: { text: meta.description },
    help: {
      text: fixes.join('\n'),
      markdown: `See docs/diagnostics/${meta.code}.md.\n\n${fixes.map((f) => `- ${f}`).join('\n')}`,
    },
    defaultConfiguration: { level: level[meta.severity] },
    properties: { tags: ['replay-safety', 'idempotency'] },
  };
}

/** Inside the working directory: relative to %SRCROOT%; elsewhere: an absolute file URL. */
function artifact(file: string): Sarif.ArtifactLocation {
  const shown = displayPath(file);
  return shown.startsWith('/') ? { uri: pathToFileURL(file).href } : { uri: encodeURI(shown), uriBaseId: '%SRCROOT%' };
}

/**
 * SARIF 2.1.0 for code scanning (GitHub, Azure DevOps, IDE viewers). Paths are
 * relative to %SRCROOT% (the working directory), so uploads line up with the
 * repository; suppressed findings are kept with their in-source justification.
 */
export const sarif: LintFormatter = (result) => {
  const rules = allRuleMeta.map(ruleDescriptor);
  const index = new Map<string, number>(allRuleMeta.map((m, i) => [m.code, i]));
  const log: Sarif.Log = {
    $schema: 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'idemflow', version, semanticVersion: version, rules } },
        originalUriBaseIds: { '%SRCROOT%': { uri: `${pathToFileURL(process.cwd()).href}/` } },
        columnKind: 'utf16CodeUnits',
        results: result.findings.map((f): Sarif.Result => ({
          ruleId: f.code,
          ruleIndex: index.get(f.code) ?? -1,
          level: level[f.severity],
          message: { text: `${f.message} Fix: ${f.fix}` },
          locations: [
            {
              physicalLocation: {
                artifactLocation: artifact(f.location.file),
                region: { startLine: f.location.line, startColumn: f.location.column },
              },
            },
          ],
          ...(f.suppressed ? { suppressions: [{ kind: 'inSource', justification: f.suppressed.justification }] } : {}),
        })),
      },
    ],
  };
  return JSON.stringify(log, undefined, 2);
};

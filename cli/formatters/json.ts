import { describeLocation } from '../../compiler/index.ts';
import type { Formatter } from '../report.ts';

/** Machine-readable: `{"pipelines":[{name,file,strategy:{id,title},diagnostics:[{code,severity,message,fix,…}]}],"unloaded":[{file,message}]}`. */
export const json: Formatter = (reports, { explain, measured, unloaded = [] }) =>
  JSON.stringify(
    {
      pipelines: reports.map((r) => ({
        name: r.name,
        file: r.file,
        strategy: {
          id: r.classification.strategy.id,
          title: r.classification.strategy.title,
          ...(explain
            ? {
                verdict: r.classification.strategy.verdict,
                speed: r.classification.strategy.speed,
                accuracy: r.classification.strategy.accuracy,
                storage: r.classification.strategy.storage,
                reasons: r.classification.reasons,
                measured: measured?.(r.classification.strategy.id)?.row ?? null,
              }
            : {}),
        },
        diagnostics: r.diagnostics.map((d) => ({
          code: d.code,
          rule: d.rule,
          severity: d.severity,
          message: d.message,
          fix: d.fix,
          ...(d.location
            ? { location: describeLocation(d.location), line: d.location.line, column: d.location.column }
            : {}),
        })),
      })),
      // Files that could not be loaded: the document stays whole, and says what it could not check.
      unloaded,
    },
    undefined,
    2,
  );

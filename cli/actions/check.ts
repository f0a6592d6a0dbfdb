import type { StrategyId } from '../../compiler/index.ts';
import { readResults, summarize } from '../../compiler/strategy/measurements.ts';
import { untrustedCodeNote } from '../ci-pull-request.ts';
import type { CheckOptions } from '../commands/check.ts';
import { formatters } from '../formatters/index.ts';
import { loadPipelines, resolveFiles, type LoadedPipeline } from '../load-pipelines.ts';
import { countBySeverity, reportOf } from '../report.ts';
import { exitCodes, LoadError, UsageError } from '../usage-error.ts';

/**
 * Loads every file; one that cannot be loaded (it throws, or exports no
 * pipeline: a helper module an unquoted shell glob picked up) is reported and
 * the others are still checked.
 */
async function loadEach(patterns: readonly string[]): Promise<{ loaded: LoadedPipeline[]; failures: LoadError[] }> {
  const loaded: LoadedPipeline[] = [];
  const failures: LoadError[] = [];
  for (const file of await resolveFiles(patterns)) {
    try {
      loaded.push(...(await loadPipelines(file.path, file.explicit)));
    } catch (error) {
      if (!(error instanceof LoadError)) throw error;
      failures.push(error);
    }
  }
  if (loaded.length === 0 && failures.length === 0) throw new UsageError(`no pipelines found in ${patterns.join(' ')}`);
  return { loaded, failures };
}

/** The one line for a file that could not be loaded; --verbose adds the stack of its cause. */
function reportLoadFailure(failure: LoadError): void {
  process.stderr.write(`idemflow: ${failure.message}\n`);
  if (process.argv.includes('--verbose')) {
    const cause = failure.cause instanceof Error ? failure.cause : failure;
    process.stderr.write(`${cause.stack ?? String(cause)}\n`);
  }
}

export async function checkAction(files: string[], options: CheckOptions): Promise<void> {
  // Before any pipeline module is loaded, that is before the code under review runs.
  const note = untrustedCodeNote();
  if (note !== undefined) process.stderr.write(`${note}\n`);
  const { loaded, failures } = await loadEach(files);
  const reports = loaded.map((p) => reportOf(p, options.runner));
  const format = formatters[options.format];
  const results = options.explain ? readResults() : undefined;
  const measured = (id: StrategyId) => {
    const entry = results?.strategies[id];
    return entry && results
      ? { row: summarize(entry), generatedAt: results.generatedAt, seeds: results.seeds }
      : undefined;
  };
  const unloaded = failures.map((f) => ({ file: f.file, message: f.reason }));
  if (reports.length > 0 || options.format === 'json')
    process.stdout.write(`${format(reports, { explain: options.explain, measured, unloaded })}\n`);
  for (const failure of failures) reportLoadFailure(failure);
  process.exitCode =
    failures.length > 0 ? exitCodes.usage : countBySeverity(reports).error > 0 ? exitCodes.findings : exitCodes.ok;
}

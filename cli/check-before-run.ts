import { compile, describeLocation, rules, type Diagnostic, type PipelineNode } from '../compiler/index.ts';
import { UsageError } from './usage-error.ts';

const knownCodes = new Set<string>(rules.map((r) => r.meta.code));

/** `--allow IDEM001,IDEM003`: the error codes a run accepts knowingly. An unknown code is a typo, not a wish. */
export function checkAllowed(codes: readonly string[]): void {
  const unknown = codes.filter((c) => !knownCodes.has(c));
  if (unknown.length > 0)
    throw new UsageError(`--allow: unknown code ${unknown.join(', ')} (codes: ${[...knownCodes].join(', ')})`);
}

export interface RunVerdict {
  /** Lines to print once before the run (or instead of it): each error and warning, where it is and how to fix it. */
  readonly lines: readonly string[];
  /** Set when the run must not start: errors whose codes --allow does not name. */
  readonly refusal?: string;
}

function describe(pipeline: string, d: Diagnostic, allowed: boolean): string[] {
  const label = allowed ? `${d.severity} (allowed)` : d.severity;
  return [`${pipeline}: ${label} ${d.code} ${d.message}`, `  at ${describeLocation(d.location)}`, `  fix: ${d.fix}`];
}

/**
 * What `run` checks before it starts: the compiler's rules over the
 * pipeline. An error means the run would write wrong results that cannot be
 * repaired (or crash), so it refuses unless the user names the code;
 * warnings are shown and the run goes on. Notes are left to `check`.
 */
export function checkBeforeRun(pipeline: PipelineNode, allow: readonly string[]): RunVerdict {
  const shown = compile(pipeline).diagnostics.filter((d) => d.severity !== 'note');
  const lines = shown.flatMap((d) => describe(pipeline.name, d, d.severity === 'error' && allow.includes(d.code)));
  const blocking = [
    ...new Set(shown.filter((d) => d.severity === 'error' && !allow.includes(d.code)).map((d) => d.code)),
  ];
  if (blocking.length === 0) return { lines };
  const errors = shown.filter((d) => d.severity === 'error' && !allow.includes(d.code)).length;
  return {
    lines,
    refusal: `${pipeline.name}: refusing to run with ${errors} error${errors === 1 ? '' : 's'} (${blocking.join(', ')}); fix ${errors === 1 ? 'it' : 'them'}, or accept the risk with --allow ${blocking.join(',')}`,
  };
}

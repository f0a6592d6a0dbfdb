import { runRules, type PipelineNode } from '../compiler/index.ts';
import { rules } from '../compiler/rules/index.ts';
import type { RunnerOf } from '../runners/registry.ts';
import { parseFaults, type FaultSpec } from '../runtime/faults.ts';
import { openTargets } from '../connectors/targets.ts';
import { loadRunnerFor } from './load-runner.ts';
import { summary } from './run-summary.ts';
import { openStore } from './shared-options.ts';
import { exitCodes, UsageError } from './usage-error.ts';

export interface BeamRunFlags {
  readonly store: string;
  readonly checkpoint?: string;
  readonly faults?: string;
  readonly seed: number;
  readonly dryRun: boolean;
  readonly untilIdle?: number;
  readonly quiet: boolean;
  readonly cassandra?: string;
  readonly flinkMaster?: string;
}

/** Local-runner options that mean nothing for one Beam job over a bounded input: refused, not ignored. Returns the faults Beam injects. */
function refuseLocalOnly(flags: BeamRunFlags): FaultSpec {
  const localOnly: [boolean, string][] = [
    [flags.checkpoint !== undefined, '--checkpoint'],
    [flags.dryRun, '--dry-run'],
    [flags.untilIdle !== undefined, '--until-idle'],
  ];
  const given = localOnly.filter(([set]) => set).map(([, name]) => name);
  if (given.length > 0)
    throw new UsageError(
      `${given.join(', ')}: local runner only (Beam runs a bounded input as one job, with no checkpoints to resume from)`,
    );
  const faults = parseFaults(flags.faults);
  if (faults.crashAt.length > 0 || faults.duplicate > 0 || faults.loss > 0) {
    throw new UsageError(
      "--faults on Beam: only write-fail and lost-ack (sink writes); crash-at, duplicate and loss are the local runner's",
    );
  }
  return faults;
}

/**
 * `idemflow run --runner beam-direct|beam-flink`: the pipeline's runner
 * rules first (a function capturing a module variable is refused, IDEM009),
 * then one Beam job; its sinks write where the local runner's would.
 */
export async function runOnBeam(
  file: string,
  pipeline: PipelineNode,
  runner: RunnerOf<'beam'>,
  flags: BeamRunFlags,
): Promise<void> {
  // First, as before any check: without apache-beam installed, that is all there is to say.
  const chosen = await loadRunnerFor(runner);
  const faults = refuseLocalOnly(flags);
  // The rules this runner adds: those asking for a capability it has (a local check ran the rest).
  const runnerRules = rules.filter((r) => r.meta.onlyWhen !== undefined);
  const errors = runRules(pipeline, runnerRules, runner).filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    throw new UsageError(
      `${file}: cannot run on ${runner}: ${errors.map((d) => `${d.code} ${d.message}${d.location ? ` (line ${d.location.line})` : ''}`).join(' ')}`,
    );
  }
  const blockers = chosen.unsupported(pipeline);
  if (blockers.length > 0) throw new UsageError(`${file}: ${blockers.map((d) => `${d.message} ${d.fix}`).join(' ')}`);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const targets = await openTargets(pipeline, { cassandra: flags.cassandra, createSchema: true, log });
  try {
    log(
      `${pipeline.name}: running on ${runner}${chosen.engine === 'flink' ? ` (Flink master ${flags.flinkMaster ?? '[local]'})` : ''}`,
    );
    const result = await chosen.run(pipeline, {
      store: openStore(flags.store),
      targets,
      faults,
      seed: flags.seed,
      flinkMaster: flags.flinkMaster,
      log: (line) => process.stderr.write(`${line}\n`),
    });
    process.stdout.write(`${summary(result, runner)}\n  Beam's log: ${result.logFile}\n`);
  } finally {
    await Promise.all(targets.map((t) => t.close()));
  }
  process.exitCode = exitCodes.ok;
}

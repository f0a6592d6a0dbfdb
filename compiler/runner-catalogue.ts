/**
 * The runners, by name, and what each can do that changes which rules
 * apply. The one place runner names are spelled: the CLI's `--runner`
 * choices, the compiler, the conformance suite and the bench read this
 * table, and `runners/registry.ts` (the lazy loaders) is typed by it, so a
 * runner without a loader, or a loader without a runner, does not compile.
 * A module of its own, with no imports, so command-line options can list
 * the names without loading the compiler or any runner.
 */

/** What a runner does that a rule may depend on. */
export interface RunnerCapabilities {
  /**
   * User functions may run on separate workers, shipped there as their
   * source text (Beam's SDK): a name a function captures from its module is
   * undefined on the worker.
   */
  readonly functionsOnSeparateWorkers: boolean;
}

export type RunnerCapability = keyof RunnerCapabilities;

export interface RunnerDescription {
  /** One line for help texts. */
  readonly summary: string;
  readonly capabilities: RunnerCapabilities;
}

export const runnerCatalogue = {
  local: {
    summary: 'in-process micro-batches: checkpoints, replay after a crash, fault injection, dry-run',
    capabilities: { functionsOnSeparateWorkers: false },
  },
  'beam-direct': {
    summary: "Apache Beam's DirectRunner, one job over a bounded input",
    capabilities: { functionsOnSeparateWorkers: true },
  },
  'beam-flink': {
    summary: "Flink through Apache Beam's job server, one job over a bounded input",
    capabilities: { functionsOnSeparateWorkers: true },
  },
} as const satisfies Readonly<Record<string, RunnerDescription>>;

export type RunnerName = keyof typeof runnerCatalogue;

export const runnerNames = Object.keys(runnerCatalogue) as readonly RunnerName[];

/** The runner a pipeline runs and is checked for when none is named. */
export const defaultRunner: RunnerName = 'local';

/** Whether the runner has the capability. */
export function runnerCan(runner: RunnerName, capability: RunnerCapability): boolean {
  return runnerCatalogue[runner].capabilities[capability];
}

/**
 * The runners, loaded when asked for. Keyed by `compiler/runner-catalogue.ts`
 * (names and capabilities), so a runner without a loader, or a loader
 * without a runner, does not compile. The CLI's dispatch, the conformance
 * suite and the bench take runners from here, by name.
 *
 * Loaders import lazily: Beam's SDK (gRPC, protobuf) would add a second to
 * every local run's start-up, and a team that installed idemflow alone has
 * no `apache-beam` (an optional peer dependency). This file lies beside the
 * runner folders, in neither, so it may name them all.
 */
import type { RunnerName } from '../compiler/runner-catalogue.ts';
import { UserFacingError } from '../runtime/user-facing-error.ts';
import type { BeamEngine } from './beam/beam-runner.ts';

/** A runner's package is not installed: the CLI turns this into its usage message. */
export class RunnerNotInstalled extends UserFacingError {
  override readonly name = 'RunnerNotInstalled';
  constructor(
    readonly runner: RunnerName,
    /** What is missing, for a sentence: "Apache Beam's TypeScript SDK". */
    readonly what: string,
    /** The `npm install` argument: the optional peer dependency's range in package.json. */
    readonly install: string,
  ) {
    super(`the ${runner} runner needs ${what}, which is not installed: npm install ${install}`);
  }
}

/** Imports a module of the Beam runners; without apache-beam installed, says what to install. */
async function fromBeam<T>(name: RunnerName, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const missing =
      (error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' &&
      /'apache-beam[/']/.test(String((error as Error).message));
    if (!missing) throw error;
    throw new RunnerNotInstalled(name, "Apache Beam's TypeScript SDK", 'apache-beam@^2.49.0');
  }
}

const beam = (name: RunnerName, engine: BeamEngine) =>
  fromBeam(name, async () => (await import('./beam/beam-runner.ts')).beamRunner(name, engine));

/** `idemflow worker`: Beam's worker pool, for the SDK workers of `beam-flink --environment external`. */
export const loadBeamWorkerPool = () =>
  fromBeam('beam-flink', async () => (await import('./beam/worker-pool.ts')).serveWorkerPool);

const registry = {
  local: { family: 'micro-batch', load: async () => (await import('./local/index.ts')).localRunner },
  'beam-direct': { family: 'beam', load: () => beam('beam-direct', 'direct') },
  'beam-flink': { family: 'beam', load: () => beam('beam-flink', 'flink') },
} as const satisfies {
  readonly [N in RunnerName]: {
    /** How the CLI drives it: resumable micro-batches, or one Beam job over a bounded input. */
    readonly family: 'micro-batch' | 'beam';
    readonly load: () => Promise<unknown>;
  };
};

export type RunnerFamily = (typeof registry)[RunnerName]['family'];

/** The names of the runners of a family: `RunnerOf<'beam'>` is `'beam-direct' | 'beam-flink'`. */
export type RunnerOf<F extends RunnerFamily> = {
  [N in RunnerName]: (typeof registry)[N]['family'] extends F ? N : never;
}[RunnerName];

/** The runner object a name loads: the local runner, or a Beam runner. */
export type LoadedRunner<N extends RunnerName> = Awaited<ReturnType<(typeof registry)[N]['load']>>;

/** How the CLI drives the runner, known without loading it. */
export function familyOf(name: RunnerName): RunnerFamily {
  return registry[name].family;
}

/** Whether the runner belongs to the family (narrows the name, so `loadRunner` returns that family's type). */
export function isOfFamily<F extends RunnerFamily>(name: RunnerName, family: F): name is RunnerOf<F> {
  return registry[name].family === family;
}

/** Loads the runner (its modules, and their packages, on first use). */
export async function loadRunner<N extends RunnerName>(name: N): Promise<LoadedRunner<N>> {
  return (await registry[name].load()) as LoadedRunner<N>;
}

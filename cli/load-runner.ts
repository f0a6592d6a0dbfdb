import type { RunnerName } from '../compiler/runner-catalogue.ts';
import { loadRunner, RunnerNotInstalled, type LoadedRunner } from '../runners/registry.ts';
import { UsageError } from './usage-error.ts';

/**
 * `--runner <name>`: the runner from the registry; a runner whose optional
 * package is missing is a usage error that says what to install.
 */
export async function loadRunnerFor<N extends RunnerName>(name: N): Promise<LoadedRunner<N>> {
  try {
    return await loadRunner(name);
  } catch (error) {
    if (!(error instanceof RunnerNotInstalled)) throw error;
    throw new UsageError(`--runner ${name} needs ${error.what}, which is not installed: npm install ${error.install}`);
  }
}

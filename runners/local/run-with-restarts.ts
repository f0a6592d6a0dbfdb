import type { PipelineNode } from '../../compiler/ir/index.ts';
import { EmbeddedStore } from '../../connectors/embedded/store.ts';
import { runLocal, SimulatedCrash, type LocalRunOptions, type LocalRunResult } from './engine.ts';

export interface RestartedRun {
  readonly result: LocalRunResult;
  /** Batches at which the process "died". */
  readonly crashes: readonly number[];
  /** The store as reopened from disk after the last restart. */
  readonly store: EmbeddedStore;
}

/**
 * The harness for injected crashes inside one process: a crash throws, and
 * the run starts again from nothing but what is on disk — a new store opened
 * from its folder, the checkpoint folder — as a restarted process would.
 */
export async function runWithRestarts(
  pipeline: PipelineNode,
  options: Omit<LocalRunOptions, 'store' | 'crash'> & {
    storeDir: string;
    checkpointDir: string;
    onCrash?: (batch: number) => void;
  },
): Promise<RestartedRun> {
  const crashes: number[] = [];
  for (;;) {
    const store = new EmbeddedStore(options.storeDir);
    try {
      const result = await runLocal(pipeline, {
        ...options,
        store,
        crash: (batch) => {
          throw new SimulatedCrash(batch);
        },
      });
      return { result, crashes, store };
    } catch (error) {
      if (!(error instanceof SimulatedCrash)) throw error;
      crashes.push(error.batch);
      options.onCrash?.(error.batch);
    }
  }
}

import { PipelineNode } from '../../compiler/ir/index.ts';
import { holdFolder, type FolderHold } from '../../connectors/exclusive-folder.ts';

export interface RunFolders {
  readonly checkpointDir?: string;
  readonly storeDir: string;
  /** The LMDB store of `--state disk`, wherever it lives. */
  readonly stateDir?: string;
  readonly dryRun?: boolean;
  /** With a Cassandra, the embedded store is written only by the pipeline's `embedded.*` sinks. */
  readonly cassandra: boolean;
}

/**
 * Takes the folders a run writes, so that a second process pointed at them
 * is refused with the holder's name instead of interleaving its checkpoints
 * or table logs with this run's (each process holds a table in memory and
 * compacts it from there: a second writer's rows would be lost).
 */
export function lockRunFolders(pipeline: PipelineNode, folders: RunFolders): FolderHold {
  const locks: FolderHold[] = [];
  const release = () =>
    locks
      .splice(0)
      .reverse()
      .forEach((l) => l.release());
  try {
    if (folders.checkpointDir)
      locks.push(
        holdFolder(
          folders.checkpointDir,
          'the checkpoint folder',
          "two runs sharing it would overwrite each other's checkpoints",
        ),
      );
    if (folders.stateDir)
      locks.push(
        holdFolder(folders.stateDir, 'the state store', "two runs sharing it would overwrite each other's state"),
      );
    const writesStore =
      !folders.dryRun && (!folders.cassandra || PipelineNode.sinks(pipeline).some((s) => s.target === 'embedded'));
    if (writesStore)
      locks.push(
        holdFolder(folders.storeDir, 'the embedded store', "two processes writing it would lose each other's rows"),
      );
  } catch (error) {
    release();
    throw error;
  }
  return { release };
}

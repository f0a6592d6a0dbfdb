import { Command } from 'commander';
import { parseInteger } from '../shared-options.ts';

export interface WorkerFlags {
  port: number;
  host: string;
}

// Beam's SDK loads only when the command runs, not for --help.
export function workerCommand(): Command {
  return new Command('worker')
    .description(
      "Serve Beam's worker-pool API: the SDK workers of `run --runner beam-flink --environment external`, apart from the submitting process (one beside each Flink TaskManager).",
    )
    .requiredOption('--port <n>', 'port to listen on (0: any free one, printed)', parseInteger('--port', 0))
    .option('--host <address>', 'address to listen on; 0.0.0.0 for TaskManagers on other hosts', '127.0.0.1')
    .addHelpText(
      'after',
      `
Each job names its pipeline file (an absolute path: the same file must be at
that path on this host), its export and the file's SHA-256; the worker refuses
a file whose hash differs, naming both. It imports the module itself, compiles
the pipeline and opens its own sink connections from its environment:
IDEMFLOW_CASSANDRA (contact points), IDEMFLOW_CASSANDRA_DC, and IDEMFLOW_CONFIG
for credentials and TLS — never from the job.

It logs to stderr and to $TMPDIR/idemflow-worker/worker-<port>.log.

Example:
  IDEMFLOW_CASSANDRA=127.0.0.1 idemflow worker --port 50000
  idemflow run pipelines/demo/sensor-aggregates.ts --runner beam-flink --flink-master 127.0.0.1:8081 \\
    --environment external --workers localhost:50000 --parallelism 2`,
    )
    .action(async (flags: WorkerFlags) => (await import('../actions/worker.ts')).workerAction(flags));
}

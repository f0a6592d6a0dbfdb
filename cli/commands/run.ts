import { Command, Option } from 'commander';
import { defaultRunner, runnerNames, type RunnerName } from '../../compiler/runner-catalogue.ts';
import { cassandraOption, parseInteger, pipelineOption, storeOption } from '../shared-options.ts';
import { UsageError } from '../usage-error.ts';

export interface RunFlags {
  pipeline?: string;
  store: string;
  checkpoint?: string;
  state: StateFlag;
  faults?: string;
  seed: number;
  dryRun: boolean;
  batchSize: number;
  batchInterval: number;
  untilIdle?: number;
  quiet: boolean;
  runner: RunnerName;
  cassandra?: string;
  printConfig: boolean;
  connectAttempts: number;
  flinkMaster?: string;
  environment: 'loopback' | 'external';
  workers?: string[];
  parallelism?: number;
  streaming: boolean;
  checkpointInterval?: number;
  restarts?: number;
  restartDelay?: number;
  windowGrace?: number;
  allow: string[];
}

/** Where keyed window state lives (`LocalRunOptions.state`). */
export type StateFlag = { readonly kind: 'memory' } | { readonly kind: 'disk'; readonly dir?: string };

/** `--state memory | disk | disk:<dir>`. */
function stateFlag(value: string): StateFlag {
  if (value === 'memory') return { kind: 'memory' };
  if (value === 'disk') return { kind: 'disk' };
  if (value.startsWith('disk:') && value.length > 'disk:'.length)
    return { kind: 'disk', dir: value.slice('disk:'.length) };
  throw new UsageError(`--state: give memory, disk or disk:<dir> (not "${value}")`);
}

/** `--workers a:1,b:2`: each a host:port. */
function workerList(value: string): string[] {
  const workers = value
    .split(',')
    .map((w) => w.trim())
    .filter((w) => w !== '');
  const bad = workers.filter((w) => !/^[^\s/:]+:\d+$/.test(w));
  if (workers.length === 0 || bad.length > 0)
    throw new UsageError(
      `--workers: give host:port of each idemflow worker, comma-separated (not "${bad.join(', ') || value}")`,
    );
  return workers;
}

/** `--allow IDEM001,idem003`: the codes, upper-cased. Checked against the rules when the run starts: the rules load only then. */
function allowList(value: string, previous: readonly string[] = []): string[] {
  const codes = value
    .split(',')
    .map((c) => c.trim().toUpperCase())
    .filter((c) => c !== '');
  return [...previous, ...codes];
}

/** Printed after the options by `idemflow run --help`. */
const runHelp = `
Before it starts, run checks the pipeline as \`idemflow check\` does. Errors
refuse the run (exit 1) unless --allow names their codes; warnings are printed
once and the run goes on.

The pipeline's Cassandra sinks write to the embedded store (--store) when no
Cassandra is configured. SIGINT or SIGTERM finishes the batch in flight,
writes a checkpoint and exits 0; a second signal exits at once.

Beam runners (--runner beam-direct | beam-flink) run bounded sources (memory,
file, generator) and Kafka topics up to their end as one job; Beam's own output goes to a log file whose path
errors name. beam-flink starts Beam's Flink job server (fetched once from Maven
Central; needs Java 17) unless \`scripts/services up flink-job-server\` runs one.

With --environment external, Beam's SDK workers (every user function, parse
and sink write) run in \`idemflow worker\` processes, one beside each
TaskManager: each imports the pipeline file itself (the same file, at the same
path: a different one is refused) and writes to Cassandra with its own
configuration. Sinks must be Cassandra tables. See \`idemflow worker --help\`.

Faults (deterministic for a --seed):
  write-fail=p   a sink write fails before it is applied
  lost-ack=p     a sink write lands but its acknowledgement is lost (the sink retries)
  crash-at=n     the process exits (code 137) in batch n; run again to resume (needs --checkpoint)
  crash-after-checkpoint=n
                 the process exits (code 137) once batch n's checkpoint is saved, before
                 Kafka's offsets are committed or the WAL is truncated (needs --checkpoint)
  crash-mid-append=n
                 the process exits (code 137) in the middle of the receiver's n-th WAL
                 append of the run: half written, not fsynced (needs --checkpoint)
  duplicate=p    the source delivers a record twice
  loss=p         a record is lost after the system of record, before aggregation

Examples:
  idemflow run pipelines/counts.ts --checkpoint .idemflow/ckpt
  idemflow run pipelines/counts.ts --checkpoint .idemflow/ckpt --faults lost-ack=0.2,crash-at=3 --seed 7
  idemflow run pipelines/counts.ts --checkpoint .idemflow/ckpt --state disk   (keyed state in LMDB, not in memory)
  idemflow run pipelines/counts.ts --dry-run
  idemflow run pipelines/counters.ts --allow IDEM001      (a counter under retries, knowingly)
  idemflow run pipelines/counts.ts --runner beam-flink
  idemflow run pipelines/kafka-counts.ts --runner beam-flink --flink-master 127.0.0.1:8081 --streaming --cassandra 127.0.0.1
  idemflow run pipelines/counts.ts --runner beam-flink --flink-master 127.0.0.1:8081 --environment external \\
    --workers 127.0.0.1:50001,127.0.0.1:50002 --parallelism 2 --cassandra 127.0.0.1
  idemflow demo                                           (no file needed: the anti-pattern against the design)`;

// The runners, the compiler and the drivers load only when run runs, not for --help.
export function runCommand(): Command {
  return new Command('run')
    .description(
      "Run a pipeline: on the local runner (micro-batches, checkpoints, replay after a crash, fault injection, dry-run), or on Apache Beam (DirectRunner, or Flink through Beam's job server).",
    )
    .argument('<file>', 'pipeline file')
    .addOption(pipelineOption())
    .addOption(storeOption())
    .option('--checkpoint <dir>', 'folder for durable checkpoints; a restart resumes from the last one')
    .option(
      '--state <where>',
      'keyed window state: memory, or disk (an LMDB store in the --checkpoint folder, or disk:<dir>) for more keys than memory holds',
      stateFlag,
      { kind: 'memory' },
    )
    .option('--faults <spec>', 'inject faults, e.g. "lost-ack=0.1,write-fail=0.05,crash-at=3,duplicate=0.01,loss=0.01"')
    .option('--seed <n>', 'seed of the fault schedule', parseInteger('--seed', 0), 1)
    .option('--dry-run', 'write nothing; print the writes it would make and how they differ from the store', false)
    .option('--batch-size <n>', 'records a micro-batch', parseInteger('--batch-size', 1), 1_000)
    .option(
      '--batch-interval <ms>',
      'streaming sources: close a batch this long after its first record',
      parseInteger('--batch-interval', 1),
      1_000,
    )
    .option(
      '--until-idle <ms>',
      'stop, with a checkpoint, once the source has sent nothing for this long',
      parseInteger('--until-idle', 0),
    )
    .option('-q, --quiet', 'no progress display (messages and the summary still print)', false)
    .addOption(
      new Option('--runner <name>', "where to run: local, Beam's DirectRunner, or Flink through Beam's job server")
        .choices([...runnerNames])
        .default(defaultRunner),
    )
    .addOption(flinkMasterOption())
    .addOption(environmentOption())
    .option('--workers <host:port,...>', '--environment external: the idemflow workers', workerList)
    .option('--parallelism <n>', "beam-flink: the job's parallelism", parseInteger('--parallelism', 1))
    .addOption(streamingOption())
    .addOption(checkpointIntervalOption())
    .addOption(restartsOption())
    .addOption(restartDelayOption())
    .addOption(windowGraceOption())
    .addOption(cassandraOption())
    .addOption(connectAttemptsOption())
    .option(
      '--allow <codes>',
      'run despite these error codes (comma-separated, e.g. IDEM001): errors otherwise refuse to run',
      allowList,
      [],
    )
    .option('--print-config', 'print the configuration this run would use (secrets redacted) and exit', false)
    .addHelpText('after', runHelp)
    .action(async (file: string, flags: RunFlags) => (await import('../actions/run.ts')).runAction(file, flags));
}

const streamingOption = () =>
  new Option(
    '--streaming',
    'beam-flink, a Kafka source: read the topic unbounded as a streaming job, until Ctrl-C; offsets commit with checkpoints',
  ).default(false);

/** A whole-number option of a streaming job on Flink; the default is Flink's side, said in the help. */
const streamingNumberOption = (flag: string, value: string, what: string, least: number) =>
  new Option(`${flag} <${value}>`, `beam-flink --streaming: ${what}`).argParser(parseInteger(flag, least));

const checkpointIntervalOption = () =>
  streamingNumberOption('--checkpoint-interval', 'ms', 'how often Flink checkpoints (default 5000)', 100);

const connectAttemptsOption = () =>
  new Option(
    '--connect-attempts <n>',
    'tries to reach a socket sender or Kafka broker before giving up (doubling backoff)',
  )
    .argParser(parseInteger('--connect-attempts', 1))
    .default(10);

const restartsOption = () =>
  streamingNumberOption(
    '--restarts',
    'n',
    'how often Flink restarts the job from its last checkpoint after a failure before it fails (default 5)',
    0,
  );

const restartDelayOption = () =>
  streamingNumberOption('--restart-delay', 'ms', 'how long Flink waits before each restart (default 10000)', 0);

const windowGraceOption = () =>
  streamingNumberOption(
    '--window-grace',
    'ms',
    'how long Flink keeps a window beyond its allowed lateness, in event time (default 3600000)',
    0,
  );

const flinkMasterOption = () =>
  new Option(
    '--flink-master <host:port>',
    'beam-flink: the JobManager of a Flink cluster (default: an embedded Flink, [local])',
  );

const environmentOption = () =>
  new Option(
    '--environment <where>',
    "beam-flink: where Beam's SDK workers run: in this process (loopback), or in `idemflow worker`s (external)",
  )
    .choices(['loopback', 'external'])
    .default('loopback');

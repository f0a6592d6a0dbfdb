import { Command, CommanderError } from 'commander';
import { BuildError } from '../dsl/index.ts';
import { checkCommand } from './commands/check.ts';
import { benchCommand } from './commands/bench.ts';
import { demoCommand } from './commands/demo.ts';
import { graphCommand } from './commands/graph.ts';
import { lintCommand } from './commands/lint.ts';
import { produceCommand } from './commands/produce.ts';
import { repairCommand } from './commands/repair.ts';
import { schemaCommand } from './commands/schema.ts';
import { runCommand } from './commands/run.ts';
import { storeCommand } from './commands/store.ts';
import { redactSecrets } from './effective-config.ts';
import { exitCodes, UsageError } from './usage-error.ts';

const verbose = process.argv.includes('--verbose');

// `idemflow … | head` closes our stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(exitCodes.ok);
  throw error;
});

const program = new Command('idemflow')
  .description('Typed dataflow pipelines (Kafka → aggregate → Cassandra) proven replay-safe before they run.')
  .option('--verbose', 'show stack traces of errors')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

program.addCommand(checkCommand().exitOverride());
program.addCommand(lintCommand().exitOverride());
program.addCommand(graphCommand().exitOverride());
program.addCommand(demoCommand().exitOverride());
program.addCommand(benchCommand().exitOverride());
program.addCommand(runCommand().exitOverride());
program.addCommand(repairCommand().exitOverride());
program.addCommand(storeCommand().exitOverride());
program.addCommand(schemaCommand().exitOverride());
program.addCommand(produceCommand().exitOverride());

/** One line for what the user can fix; a stack trace only with --verbose, or for our own bugs. */
function fail(error: unknown): never {
  if (error instanceof CommanderError) {
    // Help and version print and exit 0; every other commander error is a usage error.
    process.exit(error.exitCode === 0 ? exitCodes.ok : exitCodes.usage);
  }
  const known = error instanceof UsageError || error instanceof BuildError || (error as { userFacing?: boolean } | null)?.userFacing === true;
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(redactSecrets(`idemflow: ${message}\n`));
  if (verbose || !known) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    process.stderr.write(redactSecrets(`${cause instanceof Error ? cause.stack : String(cause)}\n`));
  }
  process.exit(exitCodes.usage);
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  fail(error);
}

import { Command, CommanderError } from 'commander';
import { BuildError } from '../dsl/index.ts';
import { checkCommand } from './commands/check.ts';
import { graphCommand } from './commands/graph.ts';
import { exitCodes, UsageError } from './usage-error.ts';

const verbose = process.argv.includes('--verbose');

const program = new Command('idemflow')
  .description('Typed dataflow pipelines (Kafka → aggregate → Cassandra) proven replay-safe before they run.')
  .option('--verbose', 'show stack traces of errors')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

program.addCommand(checkCommand().exitOverride());
program.addCommand(graphCommand().exitOverride());

/** One line for what the user can fix; a stack trace only with --verbose, or for our own bugs. */
function fail(error: unknown): never {
  if (error instanceof CommanderError) {
    // Help and version print and exit 0; every other commander error is a usage error.
    process.exit(error.exitCode === 0 ? exitCodes.ok : exitCodes.usage);
  }
  const known = error instanceof UsageError || error instanceof BuildError;
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`idemflow: ${message}\n`);
  if (verbose || !known) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    process.stderr.write(`${cause instanceof Error ? cause.stack : String(cause)}\n`);
  }
  process.exit(exitCodes.usage);
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  fail(error);
}

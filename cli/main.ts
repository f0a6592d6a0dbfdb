import { Command, CommanderError } from 'commander';
import { packageVersion } from '../compiler/package-files.ts';
import { commands } from './commands/index.ts';
import { isUserFacing } from '../runtime/user-facing-error.ts';
import { exitCodes } from './usage-error.ts';

const verbose = process.argv.includes('--verbose');

// `idemflow … | head` closes our stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(exitCodes.ok);
  throw error;
});

/** Every message, ours or commander's, in one style: `idemflow: …` on stderr. */
function conventions(command: Command): Command {
  command
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ outputError: (text, write) => write(`idemflow: ${text.replace(/^error: /, '')}`) });
  command.commands.forEach(conventions);
  return command;
}

const program = new Command('idemflow')
  .description('Typed dataflow pipelines (Kafka → aggregate → Cassandra) proven replay-safe before they run.')
  .version(packageVersion, '-V, --version', 'print the version')
  .option('--verbose', 'show stack traces of errors')
  .addHelpText(
    'after',
    `
Examples:
  idemflow demo                                  the anti-pattern against the recommended design
  idemflow check "pipelines/**/*.ts" --explain   prove replay safety; place each pipeline in the cheat sheet
  idemflow run pipelines/counts.ts --checkpoint .idemflow/ckpt
  idemflow <command> --help                      each command's options and examples`,
  );

// Only the command being run is loaded; with none (or --help), only the list.
const args = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const named = commands.find((c) => c.name === (args[0] === 'help' ? args[1] : args[0]));
if (named) program.addCommand(await named.load());
else for (const c of commands) program.command(c.name).description(c.summary);
conventions(program);

/** One line for what the user can fix; a stack trace only with --verbose, or for our own bugs. */
async function fail(error: unknown): Promise<never> {
  if (error instanceof CommanderError) {
    // Help and version print and exit 0; every other commander error is a usage error.
    process.exit(error.exitCode === 0 ? exitCodes.ok : exitCodes.usage);
  }
  const known = isUserFacing(error);
  const message = error instanceof Error ? error.message : String(error);
  // Loaded here, not at start: it reads the credentials module, which --help does not need.
  const { redactSecrets } = await import('./effective-config.ts');
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
  await fail(error);
}

/**
 * What `scripts/services` runs. The services are imported here, inside the
 * try, so that a bad setting read when they load (IDEMFLOW_SERVICES_HOST)
 * is one line on stderr, not a stack trace.
 */
const log = (line: string) => process.stderr.write(`${line}\n`);
try {
  const { main } = await import('./main.ts');
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  log(`services: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}

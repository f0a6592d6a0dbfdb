import type { runOnBeam } from './run-on-beam.ts';
import { UsageError } from './usage-error.ts';

/** The version range of package.json's optional peer dependency, for the message below. */
const beamRange = 'apache-beam@^2.49.0';

/**
 * Beam's runners, loaded only when asked for: Beam's SDK (gRPC, protobuf)
 * would add a second to every local run's start-up, and a team that installed
 * idemflow alone has no `apache-beam` (an optional peer dependency).
 */
export async function loadBeamRunner(runner: string): Promise<typeof runOnBeam> {
  try {
    return (await import('./run-on-beam.ts')).runOnBeam;
  } catch (error) {
    const missing =
      (error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' &&
      /'apache-beam[/']/.test(String((error as Error).message));
    if (!missing) throw error;
    throw new UsageError(
      `--runner ${runner} needs Apache Beam's TypeScript SDK, which is not installed: npm install ${beamRange}`,
    );
  }
}

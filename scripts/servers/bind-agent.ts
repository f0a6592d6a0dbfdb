/**
 * idemflow's bind agent (bind-agent/BindHostAgent.java): a Java agent that
 * keeps every listener of Beam's Flink job server on one address. Beam 2.50
 * binds its gRPC servers to every interface whatever --job-host says, and has
 * no option for the rest (docs/operations.md, "What listens where").
 *
 * It is compiled here, once per source version, against the ByteBuddy jar
 * Beam itself depends on (already in the job server's lib folder): nothing is
 * downloaded and no binary is committed. It needs a JDK (javac and jar).
 */
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runAsync } from './service.ts';

const source = fileURLToPath(new URL('bind-agent/BindHostAgent.java', import.meta.url));
const manifest = [
  'Premain-Class: dev.idemflow.bindagent.BindHostAgent',
  'Can-Retransform-Classes: true',
  'Can-Redefine-Classes: true',
  '',
].join('\n');

/** Where the agent for this lib folder lives; the name changes with its source, so an edit rebuilds it. */
export function bindAgentPath(lib: string): string {
  const version = createHash('sha256').update(readFileSync(source)).update(manifest).digest('hex').slice(0, 12);
  return join(dirname(lib), 'bind-agent', `idemflow-bind-agent-${version}.jar`);
}

/** The `java` arguments that load the agent, confining every listener to `address`. */
export const bindAgentArgs = (lib: string, address: string) => [`-javaagent:${bindAgentPath(lib)}=${address}`];

const why = "Beam's Flink job server listens on every interface unless idemflow's bind agent confines it";

/** Builds the agent unless built; throws, saying why the job server cannot start without it, when it cannot. */
export async function buildBindAgent(lib: string): Promise<string> {
  const jar = bindAgentPath(lib);
  if (existsSync(jar)) return jar;
  const byteBuddy = existsSync(lib) ? readdirSync(lib).find((f) => /^byte-buddy-\d[\w.-]*\.jar$/.test(f)) : undefined;
  if (!byteBuddy) throw new Error(`${why}; the agent is built against Beam's ByteBuddy jar, and ${lib} has none`);
  for (const tool of ['javac', 'jar']) {
    if ((await runAsync(tool, ['--version'])).status !== 0) {
      throw new Error(`${why}; the agent is compiled on first start and needs \`${tool}\` (a JDK 17): install one`);
    }
  }
  mkdirSync(dirname(jar), { recursive: true });
  // Built in a folder of its own and renamed into place: two first starts at once never see half a jar.
  const work = mkdtempSync(join(dirname(jar), 'build-'));
  try {
    const classes = join(work, 'classes');
    const javac = await runAsync('javac', ['--release', '17', '-cp', join(lib, byteBuddy), '-d', classes, source]);
    if (javac.status !== 0) throw new Error(`${why}; compiling it failed: ${javac.output.trim().slice(-500)}`);
    writeFileSync(join(work, 'MANIFEST.MF'), manifest);
    const built = join(work, 'agent.jar');
    const pack = await runAsync('jar', ['cfm', built, join(work, 'MANIFEST.MF'), '-C', classes, '.']);
    if (pack.status !== 0) throw new Error(`${why}; packing it failed: ${pack.output.trim().slice(-500)}`);
    renameSync(built, jar);
    return jar;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

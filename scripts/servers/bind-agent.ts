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
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildJar, jarPath, type JarSpec } from './java-build.ts';

const agent: JarSpec = {
  name: 'bind-agent',
  label: 'agent',
  sources: [fileURLToPath(new URL('bind-agent/BindHostAgent.java', import.meta.url))],
  manifest: [
    'Premain-Class: dev.idemflow.bindagent.BindHostAgent',
    'Can-Retransform-Classes: true',
    'Can-Redefine-Classes: true',
  ],
};

/** Where the agent for this lib folder lives; the name changes with its source, so an edit rebuilds it. */
export const bindAgentPath = (lib: string): string => jarPath(agent, lib);

/** The `java` arguments that load the agent, confining every listener to `address`. */
export const bindAgentArgs = (lib: string, address: string) => [`-javaagent:${bindAgentPath(lib)}=${address}`];

const why = "Beam's Flink job server listens on every interface unless idemflow's bind agent confines it";

/** Builds the agent unless built; throws, saying why the job server cannot start without it, when it cannot. */
export async function buildBindAgent(lib: string): Promise<string> {
  if (existsSync(bindAgentPath(lib))) return bindAgentPath(lib);
  const byteBuddy = existsSync(lib) ? readdirSync(lib).find((f) => /^byte-buddy-\d[\w.-]*\.jar$/.test(f)) : undefined;
  if (!byteBuddy) throw new Error(`${why}; the agent is built against Beam's ByteBuddy jar, and ${lib} has none`);
  return buildJar(agent, lib, join(lib, byteBuddy), why);
}

/**
 * Builds a small jar from Java sources in this repository, once per source
 * version, against jars already in a server's lib folder: nothing is
 * downloaded and no binary is committed. It needs a JDK (javac and jar).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runAsync } from './service.ts';

export interface JarSpec {
  /** What the jar is, for file names. */
  readonly name: string;
  /** What it is, in errors: "the agent is compiled on first start…". */
  readonly label: string;
  readonly sources: readonly string[];
  /** The jar's manifest lines beyond the version; none for a plain library jar. */
  readonly manifest?: readonly string[];
  /** Further files of the jar, by their path in it (a `META-INF/services` registration). */
  readonly resources?: Readonly<Record<string, string>>;
}

const manifestText = (spec: JarSpec) => [...(spec.manifest ?? []), ''].join('\n');

/** Where the jar for these sources lives, beside `lib`; the name changes with the sources, so an edit rebuilds it. */
export function jarPath(spec: JarSpec, lib: string): string {
  const hash = createHash('sha256');
  for (const source of spec.sources) hash.update(readFileSync(source));
  hash.update(manifestText(spec));
  for (const [path, text] of Object.entries(spec.resources ?? {})) hash.update(`${path}\n${text}`);
  return join(dirname(lib), spec.name, `idemflow-${spec.name}-${hash.digest('hex').slice(0, 12)}.jar`);
}

/**
 * Compiles the sources against `classpath` and packs them, unless built; throws `${why}; …` with what
 * failed or what to install.
 */
export async function buildJar(spec: JarSpec, lib: string, classpath: string, why: string): Promise<string> {
  const jar = jarPath(spec, lib);
  if (existsSync(jar)) return jar;
  for (const tool of ['javac', 'jar']) {
    if ((await runAsync(tool, ['--version'])).status !== 0) {
      throw new Error(
        `${why}; the ${spec.label} is compiled on first start and needs \`${tool}\` (a JDK 17): install one`,
      );
    }
  }
  mkdirSync(dirname(jar), { recursive: true });
  // Built in a folder of its own and renamed into place: two first starts at once never see half a jar.
  const work = mkdtempSync(join(dirname(jar), 'build-'));
  try {
    const classes = join(work, 'classes');
    const javac = await runAsync('javac', ['--release', '17', '-cp', classpath, '-d', classes, ...spec.sources]);
    if (javac.status !== 0) throw new Error(`${why}; compiling it failed: ${javac.output.trim().slice(-500)}`);
    for (const [path, text] of Object.entries(spec.resources ?? {})) {
      mkdirSync(dirname(join(classes, path)), { recursive: true });
      writeFileSync(join(classes, path), text);
    }
    const built = join(work, 'built.jar');
    const manifest = join(work, 'MANIFEST.MF');
    writeFileSync(manifest, manifestText(spec));
    const pack = await runAsync('jar', ['cfm', built, manifest, '-C', classes, '.']);
    if (pack.status !== 0) throw new Error(`${why}; packing it failed: ${pack.output.trim().slice(-500)}`);
    renameSync(built, jar);
    return jar;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

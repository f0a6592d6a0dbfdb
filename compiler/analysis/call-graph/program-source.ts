import { existsSync } from 'node:fs';
import ts from 'typescript';

/**
 * Where the call graph gets TypeScript programs from: the lint hands over
 * the one ts-morph already built; `check`, which ran the pipeline instead of
 * reading it, gets one built from the files on disk. Both answer the same
 * questions with the same code, so both commands see the same helpers.
 */
export interface ProgramSource {
  /** A program holding `file`, with its type checker; undefined when the file cannot be read. */
  programOf(file: string): ts.Program | undefined;
}

/**
 * Only the user's own modules and idemflow's DSL are read for helpers: without
 * `@types` and with only ES5's library (the utility types the DSL's step types
 * are made of, so a step's records are typed as in the lint), a program is
 * parsed quickly, and clock and random calls are recognised by name anyway.
 */
const diskOptions: ts.CompilerOptions = {
  allowJs: true,
  lib: ['lib.es5.d.ts'],
  types: [],
  noEmit: true,
  skipLibCheck: true,
  allowImportingTsExtensions: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  customConditions: ['idemflow-source'],
};

/** idemflow's own DSL: its types say what a step's records are (`.map((r) => new Reading(…))` then `(r) => r.takenAt`). */
const isIdemflow = (specifier: string) => specifier === 'idemflow' || specifier.startsWith('idemflow/');

/** `#lib/ids`: a package.json `imports` entry, which maps to the package's own files. */
const isOwnImport = (specifier: string) => specifier.startsWith('#');

/**
 * A compiler host that resolves relative imports, `#` imports of the package's own files and idemflow itself only:
 * packages are judged by name, as the lint judges their declarations.
 */
function ownModulesOnly(): ts.CompilerHost {
  const host = ts.createCompilerHost(diskOptions, true);
  host.resolveModuleNameLiterals = (literals, containingFile, redirected, options) =>
    literals.map((literal) =>
      /^\.{1,2}\//.test(literal.text) || isOwnImport(literal.text) || isIdemflow(literal.text)
        ? ts.resolveModuleName(literal.text, containingFile, options, host, undefined, redirected)
        : { resolvedModule: undefined },
    );
  return host;
}

/** Programs built from disk, one a root file, each reusing the files its predecessor already parsed. */
class DiskPrograms implements ProgramSource {
  readonly #byFile = new Map<string, ts.Program | undefined>();
  #last: ts.Program | undefined;

  programOf(file: string): ts.Program | undefined {
    if (this.#byFile.has(file)) return this.#byFile.get(file);
    const known = [...this.#byFile.values()].find((p) => p?.getSourceFile(file));
    const program =
      known ??
      (existsSync(file)
        ? ts.createProgram({ rootNames: [file], options: diskOptions, host: ownModulesOnly(), oldProgram: this.#last })
        : undefined);
    if (program && !known) {
      program.getTypeChecker(); // binds every file, which also sets the parent links the analysis walks
      this.#last = program;
    }
    this.#byFile.set(file, program);
    return program;
  }
}

/** For `check` and the rule tests: pipelines that were run, whose functions are read back from their files. */
export const diskPrograms: ProgramSource = new DiskPrograms();

/** For the lint: its own program for the files it loaded, disk programs for anything else. */
export function fromProgram(program: ts.Program): ProgramSource {
  return { programOf: (file) => (program.getSourceFile(file) ? program : diskPrograms.programOf(file)) };
}

const rooted = new Map<string, ProgramSource>();

/**
 * For `check` of a pipeline written in `file`: the program built from that file answers for every file it
 * holds, so a helper it imports is read together with the calls the pipeline makes of it (what a factory
 * was handed); a program built from another pipeline's file may hold the helper without those calls.
 */
export function rootedAt(file: string): ProgramSource {
  let source = rooted.get(file);
  if (!source) {
    source = {
      programOf: (f) => {
        const own = diskPrograms.programOf(file);
        return own?.getSourceFile(f) ? own : diskPrograms.programOf(f);
      },
    };
    rooted.set(file, source);
  }
  return source;
}

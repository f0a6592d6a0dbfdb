/**
 * The runners a pipeline is checked for: rules that only matter on some
 * runners (Beam's closures) apply there only. A module of its own, with no
 * imports, so command-line options can list the names without loading the compiler.
 */
export type RunnerName = 'local' | 'beam-direct' | 'beam-flink';
export const runnerNames: readonly RunnerName[] = ['local', 'beam-direct', 'beam-flink'];

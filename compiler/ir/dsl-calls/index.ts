// What each DSL call means as an IR node: one constructor a call, used by the DSL after it validates
// its arguments and by the static lint after it evaluates them, so the two front ends cannot drift apart.
export * from './duration.ts';
export * from './pipeline.ts';
export * from './retry.ts';
export * from './sink.ts';
export * from './source.ts';
export * from './window.ts';

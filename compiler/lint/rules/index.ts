import type { SourceRule } from '../source-rule.ts';
import commitBeforeWrite from './commit-before-write.ts';
import counterUpdateRetried from './counter-update-retried.ts';
import fileNotAnalyzed from './file-not-analyzed.ts';
import nondeterministicBoundKey from './nondeterministic-bound-key.ts';
import suppressionWithoutReason from './suppression-without-reason.ts';

/** Rules over driver code (cassandra-driver, kafkajs), in code order; the pipeline rules are in compiler/rules. */
export const sourceRules: readonly SourceRule[] = [
  counterUpdateRetried,
  nondeterministicBoundKey,
  commitBeforeWrite,
  suppressionWithoutReason,
  fileNotAnalyzed,
] as readonly SourceRule<string>[];

import type { Rule } from '../rule.ts';
import callNotFollowed from './call-not-followed.ts';
import closureCapturesFreeVariable from './closure-captures-free-variable.ts';
import counterUnderRetry from './counter-under-retry.ts';
import counterWithoutRetry from './counter-without-retry.ts';
import eventTimeLostByArchive from './event-time-lost-by-archive.ts';
import incompleteUpsertKey from './incomplete-upsert-key.ts';
import noSystemOfRecord from './no-system-of-record.ts';
import nonIdempotentSinkUnderRetry from './non-idempotent-sink-under-retry.ts';
import nondeterministicFilter from './nondeterministic-filter.ts';
import nondeterministicKey from './nondeterministic-key.ts';
import receiverWithoutDurability from './receiver-without-durability.ts';
import systemOfRecordWithoutEventId from './system-of-record-without-event-id.ts';

/** Every rule, in code order. A meta-test checks codes are unique and each has docs. */
export const rules: readonly Rule[] = [
  counterUnderRetry,
  counterWithoutRetry,
  nondeterministicKey,
  incompleteUpsertKey,
  receiverWithoutDurability,
  noSystemOfRecord,
  systemOfRecordWithoutEventId,
  nonIdempotentSinkUnderRetry,
  closureCapturesFreeVariable,
  eventTimeLostByArchive,
  nondeterministicFilter,
  callNotFollowed,
] as readonly Rule<string>[];

import { generatorDefaults } from './truth.ts';

/** The generated input of test/helpers/disk-state-run-child.ts, for the truth its test counts by hand. */
export const killRunSettings = (events: number, keys: number) => ({
  seed: 7,
  count: events,
  keys,
  intervalMs: 20,
  ...generatorDefaults,
});

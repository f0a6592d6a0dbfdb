/**
 * Milliseconds a unit of a duration (`{ minutes: 5 }`): here, not in dsl/, because both front ends
 * read durations: the DSL when it is called, the lint without running it.
 */
export const unitMs = Object.freeze({ ms: 1, seconds: 1_000, minutes: 60_000, hours: 3_600_000, days: 86_400_000 });

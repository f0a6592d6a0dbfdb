/** How state indexes a key: primitive keys as they are, composite keys by their JSON. */
export const keyId = (key: unknown): unknown => (typeof key === 'object' && key !== null ? JSON.stringify(key) : key);

/** The window start that stands for "no window" in maps keyed by window start. */
export const unwindowed = 0;

import util from 'node:util';

/**
 * apache-beam 2.49 serialises closures with serialize-closures, which calls
 * `util.isPrimitive` as it loads. Node 23 removed that long-deprecated
 * function, so on Node 24 Beam failed to load ("util_1.isPrimitive is not a
 * function"). Restored here, with its documented meaning, before any Beam
 * module loads: each module of this folder that imports apache-beam imports
 * this file first.
 */
const legacy = util as typeof util & { isPrimitive?: (value: unknown) => boolean };
if (typeof legacy.isPrimitive !== 'function') {
  legacy.isPrimitive = (value) => value === null || (typeof value !== 'object' && typeof value !== 'function');
}

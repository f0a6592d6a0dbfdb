// A module resolution hook for a clone of idemflow (see idemflow.js): adds the
// "idemflow-source" export condition, under which package.json maps 'idemflow'
// and its subpaths to the TypeScript sources instead of the built dist/.
export async function resolve(specifier, context, nextResolve) {
  return nextResolve(specifier, { ...context, conditions: [...context.conditions, 'idemflow-source'] });
}

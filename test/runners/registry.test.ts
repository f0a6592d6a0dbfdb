import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sinks, source } from 'idemflow';
import { runRules, rules } from '../../compiler/index.ts';
import { defineRule } from '../../compiler/rule.ts';
import { runnerCatalogue, runnerNames } from '../../compiler/runner-catalogue.ts';
import { familyOf, isOfFamily, loadRunner } from '../../runners/registry.ts';
import { localRunner } from '../../runners/local/index.ts';
import { readings } from '../helpers/fixtures.ts';

const root = new URL('../../', import.meta.url).pathname;
const threshold = 2;

describe('the runner registry', () => {
  it.each(runnerNames)('%s loads a runner of that name, which says what it cannot run', async (name) => {
    const runner = await loadRunner(name);
    expect(runner.name).toBe(name);
    expect(typeof runner.run).toBe('function');
    // A socket stream is endless: Beam's runners refuse it up front, the local runner reads it.
    const socket = source
      .socket({ host: '127.0.0.1', port: 1 })
      .groupBy((line) => String(line))
      .count()
      .sink(sinks.memory());
    expect(runner.unsupported(socket.ir).length > 0).toBe(isOfFamily(name, 'beam'));
  });

  it('the micro-batch family is the local runner itself; each Beam runner has its engine', async () => {
    for (const name of runnerNames) {
      const runner = await loadRunner(name);
      if (familyOf(name) === 'micro-batch') expect(runner).toBe(localRunner);
      else expect(['direct', 'flink']).toContain((runner as { engine?: string }).engine);
    }
    expect(runnerNames.filter((n) => isOfFamily(n, 'beam')).length).toBeGreaterThan(0);
  });
});

describe('rules name a capability, not runners', () => {
  const captured = () =>
    source
      .memory(readings)
      .filter((e) => e.value > threshold)
      .groupBy('sensorId')
      .count()
      .sink(sinks.memory());

  it.each(runnerNames)('IDEM009 on %s: reported exactly when functions may run on separate workers', (name) => {
    const found = runRules(captured().ir, rules, name).filter((d) => d.code === 'IDEM009');
    expect(found.length > 0).toBe(runnerCatalogue[name].capabilities.functionsOnSeparateWorkers);
  });

  it('a rule of our own with the capability applies on the runners that have it, and no other', () => {
    const everywhereButLocal = defineRule({
      meta: {
        code: 'IDEM990',
        name: 'test-only',
        severity: 'note',
        description: 'test',
        messages: { hit: 'hit' },
        fixes: { hit: 'none' },
        onlyWhen: 'functionsOnSeparateWorkers',
      },
      check(pipeline, context) {
        context.report({ messageId: 'hit', node: pipeline });
      },
    });
    const on = runnerNames.filter((n) => runRules(captured().ir, [everywhereButLocal], n).length > 0);
    expect(on).toEqual(runnerNames.filter((n) => runnerCatalogue[n].capabilities.functionsOnSeparateWorkers));
    expect(on.length).toBeGreaterThan(0);
    expect(on.length).toBeLessThan(runnerNames.length);
  });
});

/** Every TypeScript file of the product folders (no tests, no benchmarks of raw Beam). */
function productFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return productFiles(path);
    return entry.name.endsWith('.ts') ? [relative(root, path)] : [];
  });
}

describe('runner names are spelled in the catalogue and the registry only', () => {
  // compiler/analysis reads users' code, where 'local' is a time zone; bench/local.ts measures Beam's SDK by hand.
  const files = ['cli', 'compiler', 'runtime', 'runners', 'connectors', 'dsl']
    .flatMap((d) => productFiles(join(root, d)))
    .filter((f) => !f.startsWith('compiler/analysis/'));
  const allowed = (name: string, file: string) =>
    file === 'compiler/runner-catalogue.ts' ||
    file === 'runners/registry.ts' ||
    // A runner names itself.
    file.startsWith(`runners/${name}/`);

  it.each(runnerNames)("'%s' as a string literal", (name) => {
    const literal = new RegExp(`['"\`]${name}['"\`]`);
    const spelled = files.filter((f) => literal.test(readFileSync(join(root, f), 'utf8')) && !allowed(name, f));
    expect(spelled).toEqual([]);
  });
});

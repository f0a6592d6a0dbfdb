/**
 * The one direction of imports between folders (docs/architecture.md): no runner imports another
 * runner, the runtime beneath them imports none, a runner opens a stream only through its input
 * connector, no connector imports a runner or the CLI, the compiler does not import the DSL, nothing
 * beneath the CLI imports it. Today's exceptions are named
 * below; the list only shrinks: a new edge fails, and so does an entry whose edge is gone (delete it).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { directionViolations, edgeName, importEdges } from '../../scripts/import-direction.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Edges against the direction that are allowed for now (never added to): none left. */
const allowed: readonly string[] = [];

/** A throw-away tree of files (path → text) to check. */
function tree(files: Record<string, string>): string {
  const dir = tempDir('idemflow-imports-');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const namesIn = (dir: string): string[] => directionViolations(importEdges(dir)).map(edgeName);

describe('import direction between folders', () => {
  it('the repository has no edge against the direction beyond the named exceptions, and each exception still exists', () => {
    const edges = importEdges(root);
    expect(edges.length).toBeGreaterThan(500); // the whole tree was read, not an empty folder
    expect(directionViolations(edges).map(edgeName)).toEqual(allowed);
  });

  it('a new edge against each rule is reported, with the rule it breaks', () => {
    const dir = tree({
      'runners/beam/a.ts': "import { x } from '../local/engine.ts';\n",
      'connectors/kafka/b.ts': "export type { Y } from '../../runners/local/sources/source-reader.ts';\n",
      'connectors/c.ts': "const cli = await import('../cli/main.ts');\n",
      'compiler/lint/d.ts': "import type { Z } from '../../dsl/index.ts';\n",
      'runtime/e.ts': "import '../cli/usage-error.ts';\n",
      'runtime/sources/g.ts': "import { runLocal } from '../../runners/local/index.ts';\n",
      'runtime/sinks/h.ts': "import type { EmbeddedStore } from '../../connectors/embedded/store.ts';\n",
      'dsl/f.ts': "import {\n  w,\n} from '../cli/progress.ts';\n",
      'runners/local/i.ts': "import { SocketReceiver } from '../../connectors/socket/socket-receiver.ts';\n",
      'runners/beam/j.ts': "import type { KafkaPosition } from '../../connectors/kafka/kafka-input.ts';\n",
    });
    expect(directionViolations(importEdges(dir))).toEqual([
      { from: 'compiler/lint/d.ts', to: 'dsl/index.ts', rule: 'the compiler does not import the DSL' },
      { from: 'connectors/c.ts', to: 'cli/main.ts', rule: 'no connector imports the CLI' },
      {
        from: 'connectors/kafka/b.ts',
        to: 'runners/local/sources/source-reader.ts',
        rule: 'no connector imports a runner',
      },
      { from: 'dsl/f.ts', to: 'cli/progress.ts', rule: 'nothing beneath the CLI imports it' },
      { from: 'runners/beam/a.ts', to: 'runners/local/engine.ts', rule: 'no runner imports another runner' },
      {
        from: 'runners/beam/j.ts',
        to: 'connectors/kafka/kafka-input.ts',
        rule: 'a runner opens a stream only through its input connector',
      },
      {
        from: 'runners/local/i.ts',
        to: 'connectors/socket/socket-receiver.ts',
        rule: 'a runner opens a stream only through its input connector',
      },
      { from: 'runtime/e.ts', to: 'cli/usage-error.ts', rule: 'nothing beneath the CLI imports it' },
      {
        from: 'runtime/sinks/h.ts',
        to: 'connectors/embedded/store.ts',
        rule: 'the runtime imports no connector',
      },
      { from: 'runtime/sources/g.ts', to: 'runners/local/index.ts', rule: 'the runtime imports no runner' },
    ]);
  });

  it('look-alikes are not edges against the direction', () => {
    const dir = tree({
      // The Runner interface sits beside the runners, in no runner's folder.
      'runners/beam/a.ts': "import type { Runner } from '../runner.ts';\nimport { b } from './b.ts';\n",
      'runners/beam/b.ts':
        "// import { x } from '../local/engine.ts';\nexport const s = \"from '../local/engine.ts'\";\n",
      'connectors/runners-list.ts': "import { r } from './runners/local.ts';\n", // connectors/runners/, not runners/
      'cli/commands/run.ts': "import { runLocal } from '../../runners/local/engine.ts';\n",
      // A runner asks the connectors' tables for inputs and targets; the CLI may name a connector's own files.
      'runners/local/engine.ts':
        "import { inputConnectorOf } from '../../connectors/inputs.ts';\nimport ts from 'typescript';\n",
      'cli/actions/produce.ts': "import { produceLines } from '../../connectors/kafka/produce.ts';\n",
      'runners/local/kafka-notes.ts': "import { k } from '../../connectors/kafka-notes/x.ts';\n", // not connectors/kafka/
      'dsl/index.ts': "import type { PipelineNode } from '../compiler/ir/index.ts';\n",
      // A connector implements the runtime's interfaces: the edge that runs the allowed way.
      'connectors/jsonl/connector.ts': "import type { TargetConnector } from '../../runtime/target-connector.ts';\n",
      'test/runners/t.ts': "import { main } from '../../cli/main.ts';\n", // tests may import anything
    });
    expect(namesIn(dir)).toEqual([]);
  });
});

import ts from 'typescript';
import { calleeName, resolveName, type FunctionNode } from './resolve.ts';
import { decidingConditions } from './deciding-conditions.ts';
import { changedFieldReturned, moduleInstanceOf } from './instance-fields.ts';
import type { Nondet } from './nondet.ts';
import { outlivesCalls } from './outliving-state.ts';
import { returnedExpressions } from './returned-expressions.ts';
import { sharedFieldWrite } from './shared-object-fields.ts';
import { staticFieldOf, staticFieldWritesIn } from './static-fields.ts';
import { changingWrite, writtenTarget } from './variable-writes.ts';

/** The line of a node, for messages ("changed at line 12"). */
export const lineOf = (node: ts.Node): number =>
  node.getSourceFile().getLineAndCharacterOfPosition(node.getStart()).line + 1;

/**
 * State that outlives an event, so a replay reads another value: a module
 * variable a call changes (`seq++`), a static field, a field of an object
 * kept on `globalThis`, a field of a module-level instance its method
 * changes and returns. None of these follows values further (ValueOrigins
 * does); each says where the state is written.
 */
export class ModuleStateOrigins {
  readonly #staticWrites = new Map<ts.SourceFile, Map<ts.PropertyDeclaration, ts.Node[]>>();

  constructor(readonly checker: ts.TypeChecker) {}

  /** `seq++`, `seq = …` on a module-level variable: state that outlives the event, so a replay sees another value. */
  stateWrite(target: ts.Identifier, write: ts.Node): Nondet | undefined {
    const resolved = resolveName(target, this.checker);
    if (resolved.kind !== 'variable' || !outlivesCalls(resolved.node)) return undefined;
    return {
      what: `module variable \`${target.text}\` (changed on every call)`,
      kind: 'module-state',
      at: write,
      via: [],
    };
  }

  /**
   * A static field of a class changed by the program (static-fields.ts):
   * `IdFactory.n += 1` is itself a write; a read of `IdFactory.n` carries
   * whatever the last call left there.
   */
  staticField(node: ts.Node): Nondet | undefined {
    const target = changingWrite(node);
    if (target) {
      const written = staticFieldOf(target, this.checker);
      return (
        written && {
          what: `static field \`${written.name}\` (changed on every call)`,
          kind: 'module-state',
          at: node,
          via: [],
        }
      );
    }
    const read = staticFieldOf(node, this.checker);
    if (!read) return undefined;
    const file = read.declaration.getSourceFile();
    let writes = this.#staticWrites.get(file);
    if (!writes) this.#staticWrites.set(file, (writes = staticFieldWritesIn(file, this.checker, changingWrite)));
    const write = writes.get(read.declaration)?.[0];
    if (!write) return undefined;
    const line = write.getSourceFile().getLineAndCharacterOfPosition(write.getStart()).line + 1;
    return { what: `static field \`${read.name}\`, changed at line ${line}`, kind: 'module-state', at: write, via: [] };
  }

  /** `state.seq` of `const state = (globalThis.__ingest ??= { seq: 0 })` that `state.seq += 1` changes: kept for the process. */
  sharedField(node: ts.Node): Nondet | undefined {
    const write = sharedFieldWrite(node, this.checker);
    if (!write) return undefined;
    const field = ts.isPropertyAccessExpression(node) ? node : (changingWrite(node) ?? node);
    return {
      what: `field \`${field.getText().replace(/\s+/g, '')}\` of an object kept for the process, changed at line ${lineOf(write)}`,
      kind: 'module-state',
      at: write,
      via: [],
    };
  }

  /** `orderNumbers.next()` on a module-level `new Sequence()` whose `next` returns a field it changes: module state. */
  moduleInstanceState(
    call: ts.CallExpression | ts.NewExpression | ts.PropertyAccessExpression,
    method: FunctionNode,
  ): Nondet | undefined {
    const instance = moduleInstanceOf(call, this.checker);
    // What it returns, and what decides which `return` runs (`if (this.tokens < 1) return false`).
    const read = [...returnedExpressions(method), ...decidingConditions(method)];
    const changed = instance && changedFieldReturned(method, read, this.checker, writtenTarget);
    if (!changed) return undefined;
    const line = changed.write.getSourceFile().getLineAndCharacterOfPosition(changed.write.getStart()).line + 1;
    return {
      what: `field \`${changed.field}\` of the module-level instance \`${instance}\`, changed at line ${line}`,
      kind: 'module-state',
      at: changed.write,
      via: [
        {
          how: 'returned by',
          name:
            (ts.isPropertyAccessExpression(call) ? call.name : calleeName(call.expression))?.getText() ?? 'a method',
          node: call,
        },
      ],
    };
  }
}

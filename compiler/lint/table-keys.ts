import { readFileSync } from 'node:fs';
import { ts, type Project } from 'ts-morph';
import { parseCreateTable, setAndMapColumns, unknownPart } from '../analysis/cql.ts';

const createTable = /^\s*CREATE\s+TABLE/i;

/**
 * Primary keys of the tables the linted sources create (CREATE TABLE in
 * strings and `.cql` files). A table may be created in more than one place
 * (a migration that changed its key, two services, test set-ups): a write is
 * read against the definition in its own file when there is one, and
 * otherwise against every definition's key columns together — a column that
 * is a key in any of them makes a clock value there a new row.
 */
export class TableKeys {
  readonly #definitions = new Map<string, { readonly file: string; readonly key: readonly string[] }[]>();
  /** Columns typed `set<…>` / `map<…>` in any definition of a table. */
  readonly #collections = new Map<string, string[]>();

  constructor(project: Project, files: readonly string[]) {
    for (const file of files) {
      const add = (cql: string) => {
        const collections = setAndMapColumns(cql);
        if (collections)
          this.#collections.set(collections.table, [
            ...(this.#collections.get(collections.table) ?? []),
            ...collections.columns,
          ]);
        const table = parseCreateTable(cql);
        if (!table) return;
        const list = this.#definitions.get(table.table) ?? [];
        list.push({ file, key: table.primaryKey });
        this.#definitions.set(table.table, list);
      };
      if (file.endsWith('.cql')) readFileSync(file, 'utf8').split(';').forEach(add);
      else createTablesIn(project, file, add);
    }
  }

  /** The columns of `table` typed `set<…>` or `map<…>` in a CREATE TABLE found (none when none was found). */
  setAndMapColumns(table: string): readonly string[] {
    return this.#collections.get(table) ?? [];
  }

  /** The key columns of `table` as the code in `file` sees it (none when no CREATE TABLE was found). */
  keyOf(table: string, file: string): readonly string[] {
    const definitions = this.#definitions.get(table) ?? [];
    const own = definitions.filter((d) => d.file === file);
    return [...new Set((own.length > 0 ? own : definitions).flatMap((d) => d.key))];
  }
}

function createTablesIn(project: Project, file: string, add: (cql: string) => void): void {
  const source = project.getSourceFile(file);
  if (!source || !/CREATE\s+TABLE/i.test(source.getFullText())) return;
  const visit = (node: ts.Node): void => {
    if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && createTable.test(node.text))
      add(node.text);
    else if (ts.isTemplateExpression(node) && createTable.test(node.head.text))
      add(
        node
          .getText(source.compilerNode)
          .slice(1, -1)
          .replace(/\$\{[^}]*\}/g, unknownPart),
      );
    ts.forEachChild(node, visit);
  };
  visit(source.compilerNode);
}

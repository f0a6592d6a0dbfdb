/** Where in a pipeline file a node was built: what diagnostics point at. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** The `is` of an IR node's factory: true when a node has this kind. */
export function kindGuard<N extends { readonly kind: string }>(kind: N['kind']) {
  return (node: { readonly kind: string }): node is N => node.kind === kind;
}

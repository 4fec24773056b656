/**
 * A shape as every message of the library writes it: [128, 784] ([] for a 0-d tensor). Past 8
 * dimensions (a file's header may declare thousands) it shows the first 8 and the count. It sits
 * beside the layers, importing nothing, so that each of them (backend to cli) may use it.
 */
export function formatShape(shape: readonly number[]): string {
  return shape.length <= 8 ? `[${shape.join(', ')}]` : `[${shape.slice(0, 8).join(', ')}, … (${shape.length} dimensions)]`;
}

/** The graph below a tensor as Graphviz DOT, for debugging: `dot -Tsvg graph.dot`. */
import type { Tensor } from './tensor';

export function toDot(root: Tensor): string {
  const ids = new Map<Tensor, string>();
  const lines: string[] = [];
  const stack: Tensor[] = [root];
  const idOf = (t: Tensor) => {
    let id = ids.get(t);
    if (!id) {
      id = `t${ids.size}`;
      ids.set(t, id);
    }
    return id;
  };
  const seen = new Set<Tensor>();
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (seen.has(t)) continue;
    seen.add(t);
    const shape = `[${t.shape.join(',')}]`;
    const label = t.node ? `${t.node.op}\\n${shape}` : `${t.requiresGrad ? 'parameter' : 'input'}\\n${shape}`;
    const style = t.node ? 'shape=box' : t.requiresGrad ? 'shape=ellipse, style=filled, fillcolor=lightblue' : 'shape=ellipse';
    lines.push(`  ${idOf(t)} [label="${label}", ${style}];`);
    for (const input of t.node?.inputs ?? []) {
      lines.push(`  ${idOf(input)} -> ${idOf(t)};`);
      stack.push(input);
    }
  }
  return `digraph tensorgrad {\n  rankdir=BT;\n${lines.join('\n')}\n}\n`;
}

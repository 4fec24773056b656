/**
 * The graph below a tensor as Graphviz DOT, for debugging: `dot -Tsvg graph.dot`. An op's box
 * shows its name, its output shape and its attributes; leaves are ellipses (parameters filled).
 */
import { graphOf } from './graph';
import type { AttributeValue, OpAttributes, Tensor } from './tensor';
import { formatShape } from './tensor';

function formatValue(value: AttributeValue): string {
  if (Array.isArray(value)) return formatShape(value);
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

export function formatAttributes(attributes: OpAttributes): string {
  return Object.entries(attributes).map(([key, value]) => `${key}=${formatValue(value)}`).join(', ');
}

/** Escapes a label for a double-quoted DOT string; \n stays a line break. */
const escape = (text: string) => text.replace(/[\\"]/g, (c) => `\\${c}`);

export function toDot(root: Tensor): string {
  const { nodes, leaves } = graphOf(root);
  const lines: string[] = [];
  const ids = new Map<object, string>();
  const idOf = (key: object) => {
    let id = ids.get(key);
    if (!id) ids.set(key, (id = `t${ids.size}`));
    return id;
  };
  for (const leaf of leaves) {
    const style = leaf.requiresGrad ? 'shape=ellipse, style=filled, fillcolor=lightblue' : 'shape=ellipse';
    lines.push(`  ${idOf(leaf)} [label="${leaf.requiresGrad ? 'parameter' : 'input'}\\n${formatShape(leaf.shape)}", ${style}];`);
  }
  for (const { node, outputs } of nodes) {
    const shapes = outputs.flatMap((t, i) => (t ? [node.outputCount > 1 ? `${i}: ${formatShape(t.shape)}` : formatShape(t.shape)] : []));
    const attributes = formatAttributes(node.attributes);
    const label = [node.op, shapes.join(', '), ...(attributes ? [attributes] : [])].map(escape).join('\\n');
    lines.push(`  ${idOf(node)} [label="${label}", shape=box];`);
    for (const input of node.inputs) {
      const from = idOf(input.node ?? input);
      const which = input.node && input.node.outputCount > 1 ? ` [label="${input.outputIndex}"]` : '';
      lines.push(`  ${from} -> ${idOf(node)}${which};`);
    }
  }
  return `digraph tensorgrad {\n  rankdir=BT;\n${lines.join('\n')}\n}\n`;
}

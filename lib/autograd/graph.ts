/**
 * Reading the tape: the ops below a tensor, producers first, as plain records (op name,
 * attributes, inputs) — what toDot draws and what an exporter walks. Nothing here runs a closure.
 */
import type { Node, Tensor } from './tensor';

export interface GraphNode {
  readonly node: Node;
  /** The outputs of the op that lead to the root, by output index (holes for the others). */
  readonly outputs: readonly (Tensor | undefined)[];
}

export interface Graph {
  /** Every op below the root once, each after the ops that made its inputs (the root's last). */
  readonly nodes: readonly GraphNode[];
  /** The leaves the ops read (parameters and inputs), in the order they are first met. */
  readonly leaves: readonly Tensor[];
}

/**
 * The graph below `root` (iteratively: a 10 000-op chain does not overflow the stack). `follow`
 * picks the inputs to walk into (backward takes those that require a gradient); all by default.
 */
export function graphOf(root: Tensor, follow: (input: Tensor) => boolean = () => true): Graph {
  const nodes: GraphNode[] = [];
  const leaves: Tensor[] = [];
  const entries = new Map<Node, { node: Node; outputs: (Tensor | undefined)[] }>();
  const seenLeaves = new Set<Tensor>();
  /** The entry of a node met for the first time (to walk into), else null (leaves are listed). */
  const note = (t: Tensor) => {
    const node = t.node;
    if (!node) {
      if (!seenLeaves.has(t)) {
        seenLeaves.add(t);
        leaves.push(t);
      }
      return null;
    }
    const known = entries.get(node);
    if (known) {
      known.outputs[t.outputIndex] = t;
      return null; // met before: already on the stack or done
    }
    let outputs: (Tensor | undefined)[];
    if (node.outputCount === 1) outputs = [t];
    else {
      outputs = Array.from({ length: node.outputCount }, () => undefined);
      outputs[t.outputIndex] = t;
    }
    const entry = { node, outputs };
    entries.set(node, entry);
    return entry;
  };
  const first = note(root);
  const stack: [GraphNode & { node: Node }, number][] = first ? [[first, 0]] : [];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const { inputs } = top[0].node;
    const next = top[1];
    if (next < inputs.length) {
      top[1]++;
      const input = inputs[next]!;
      const entry = follow(input) ? note(input) : null;
      if (entry) stack.push([entry, 0]);
    } else {
      stack.pop();
      nodes.push(top[0]); // post-order: producers first
    }
  }
  return { nodes, leaves };
}

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
  const outputsOf = new Map<Node, (Tensor | undefined)[]>();
  const seenLeaves = new Set<Tensor>();
  const note = (t: Tensor): Node | null => {
    if (!t.node) {
      if (!seenLeaves.has(t)) {
        seenLeaves.add(t);
        leaves.push(t);
      }
      return null;
    }
    const known = outputsOf.get(t.node);
    if (known) {
      known[t.outputIndex] = t;
      return null; // met before: already on the stack or done
    }
    const outs = new Array<Tensor | undefined>(t.node.outputCount);
    outs[t.outputIndex] = t;
    outputsOf.set(t.node, outs);
    return t.node;
  };
  const first = note(root);
  const stack: [Node, number][] = first ? [[first, 0]] : [];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const [node, next] = top;
    if (next < node.inputs.length) {
      top[1]++;
      const input = follow(node.inputs[next]!) ? note(node.inputs[next]!) : null;
      if (input) stack.push([input, 0]);
    } else {
      stack.pop();
      nodes.push({ node, outputs: outputsOf.get(node)! }); // post-order: producers first
    }
  }
  return { nodes, leaves };
}

/**
 * Reverse mode: walks the graph below a tensor in reverse topological order (iteratively, so a
 * 10 000-op chain does not overflow the stack), calls each op's backward once with the sum of
 * the gradients of all uses of each of its outputs, and adds the result into the .grad of
 * leaves that require it.
 */
import { graphOf } from './graph';
import type { FloatArray } from './tensor';
import { Tensor, allocateOutput, formatShape, keepBuffer, kernelsFor } from './tensor';

export function backward(root: Tensor, gradient?: Tensor): void {
  if (!root.requiresGrad) {
    throw new Error('backward: Expected a tensor that requires a gradient, but this one has no history and no requiresGrad');
  }
  let seed: FloatArray;
  if (gradient === undefined) {
    if (root.size !== 1) {
      throw new RangeError(`backward: Expected a one-element tensor (or pass a gradient of the same shape) but received shape ${formatShape(root.shape)}`);
    }
    seed = allocateOutput(root.shape, root.dtype).fill(1);
  } else {
    if (gradient.shape.join() !== root.shape.join() || gradient.dtype !== root.dtype) {
      throw new RangeError(`backward: Expected a gradient of shape ${formatShape(root.shape)} (${root.dtype}) but received ${formatShape(gradient.shape)} (${gradient.dtype})`);
    }
    seed = gradient.data.slice();
  }

  const kernels = kernelsFor(root.dtype);
  // Gradients not yet passed on; the engine owns each array (copies one an op hands out twice).
  const pending = new Map<Tensor, FloatArray>([[root, seed]]);
  const owned = new Set<FloatArray>([seed]);
  const accumulate = (tensor: Tensor, grad: FloatArray) => {
    const sum = pending.get(tensor);
    if (sum) {
      kernels.add(sum, grad, sum);
    } else {
      const mine = owned.has(grad) ? grad.slice() : grad;
      owned.add(mine);
      pending.set(tensor, mine);
    }
  };
  /** The complete gradient of a tensor, after its hooks saw it; undefined when none reached it. */
  const take = (tensor: Tensor | undefined): FloatArray | undefined => {
    const grad = tensor && pending.get(tensor);
    if (!grad) return undefined;
    pending.delete(tensor);
    if (tensor.hooks) for (const hook of tensor.hooks) hook(new Tensor(grad, tensor.shape));
    return grad;
  };

  // Consumers before producers: an op runs once every use of each of its outputs has added in.
  const { nodes, leaves } = graphOf(root, (input) => input.requiresGrad);
  // A leaf with post-accumulate hooks is passed its gradient right after the last op using it,
  // during the walk, so the hook (a DDP bucket's reduction) can start while the rest runs.
  const lastUse = new Map<Tensor, number>();
  if (leaves.some((leaf) => postAccumulateHooks.has(leaf))) {
    nodes.forEach(({ node }, n) => {
      for (const input of node.inputs) if (postAccumulateHooks.has(input) && !lastUse.has(input)) lastUse.set(input, n);
    });
  }
  const finish = (leaf: Tensor) => {
    const grad = take(leaf);
    if (!grad) return;
    addToLeafGrad(leaf, grad);
    for (const hook of postAccumulateHooks.get(leaf) ?? []) hook(leaf);
  };
  for (let n = nodes.length - 1; n >= 0; n--) {
    const { node, outputs } = nodes[n]!;
    const handed: (FloatArray | null)[] = new Array(outputs.length);
    let any = false;
    for (let i = 0; i < outputs.length; i++) {
      const g = take(outputs[i]) ?? null;
      if (g) {
        owned.delete(g); // handed to the op, which may return it as an input's gradient
        any = true;
      }
      handed[i] = g;
    }
    if (any) {
      const inputGrads = node.backward(handed);
      const inputs = node.inputs;
      for (let i = 0; i < inputs.length; i++) {
        const g = inputGrads[i];
        if (g && inputs[i]!.requiresGrad) accumulate(inputs[i]!, g);
      }
    }
    if (lastUse.size > 0) for (const input of node.inputs) if (lastUse.get(input) === n) finish(input);
  }
  for (const leaf of leaves) finish(leaf);
}

// Weak: a model dropped with its hooks is collected.
const postAccumulateHooks = new WeakMap<Tensor, ((leaf: Tensor) => void)[]>();

/**
 * Calls hook(leaf) each time backward() has added a gradient into leaf.grad (as PyTorch's
 * register_post_accumulate_grad_hook), as soon as the last op using the leaf has run. Returns a
 * function that removes the hook.
 */
export function registerPostAccumulateGradHook(leaf: Tensor, hook: (leaf: Tensor) => void): () => void {
  if (!(leaf instanceof Tensor) || leaf.node) throw new TypeError('registerPostAccumulateGradHook: Expected a leaf tensor (a parameter)');
  if (typeof hook !== 'function') throw new TypeError('registerPostAccumulateGradHook: Expected a function');
  const hooks = postAccumulateHooks.get(leaf) ?? [];
  hooks.push(hook);
  postAccumulateHooks.set(leaf, hooks);
  return () => {
    const left = (postAccumulateHooks.get(leaf) ?? []).filter((h) => h !== hook);
    if (left.length > 0) postAccumulateHooks.set(leaf, left);
    else postAccumulateHooks.delete(leaf);
  };
}

/** A dense gradient makes the leaf's grad dense: any row-sparse record is dropped. */
function addToLeafGrad(leaf: Tensor, grad: FloatArray): void {
  if (leaf.grad) {
    const kernels = kernelsFor(leaf.dtype);
    kernels.add(leaf.grad.data, grad, leaf.grad.data);
    leaf.setGradRows(null);
  } else {
    keepBuffer(grad); // a gradient outlives the step's pooled buffers
    leaf.grad = new Tensor(grad, leaf.shape);
  }
}

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
    if (!any) continue;
    const inputGrads = node.backward(handed);
    const inputs = node.inputs;
    for (let i = 0; i < inputs.length; i++) {
      const g = inputGrads[i];
      if (g && inputs[i]!.requiresGrad) accumulate(inputs[i]!, g);
    }
  }
  for (const leaf of leaves) {
    const grad = take(leaf);
    if (grad) addToLeafGrad(leaf, grad);
  }
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

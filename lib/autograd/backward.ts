/**
 * Reverse mode: walks the graph below a tensor in reverse topological order (iteratively, so a
 * 10 000-op chain does not overflow the stack), calls each op's backward once with the sum of
 * the gradients of all its uses, and adds the result into the .grad of leaves that require it.
 */
import type { FloatArray } from './tensor';
import { Tensor, allocateOutput, keepBuffer, kernelsFor } from './tensor';

/** The ops below `root` that lead to a tensor requiring a gradient, consumers before producers. */
function reverseTopologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  const stack: [Tensor, number][] = [[root, 0]];
  visited.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const [tensor, next] = top;
    const inputs = tensor.node?.inputs ?? [];
    if (next < inputs.length) {
      top[1]++;
      const input = inputs[next]!;
      if (input.requiresGrad && !visited.has(input)) {
        visited.add(input);
        stack.push([input, 0]);
      }
    } else {
      stack.pop();
      order.push(tensor); // post-order: every input before the tensor that uses it
    }
  }
  return order.reverse();
}

export function backward(root: Tensor, gradient?: Tensor): void {
  if (!root.requiresGrad) {
    throw new Error('backward: Expected a tensor that requires a gradient, but this one has no history and no requiresGrad');
  }
  let seed: FloatArray;
  if (gradient === undefined) {
    if (root.size !== 1) {
      throw new RangeError(`backward: Expected a one-element tensor (or pass a gradient of the same shape) but received shape [${root.shape.join(', ')}]`);
    }
    seed = allocateOutput(root.shape, root.dtype).fill(1);
  } else {
    if (gradient.shape.join() !== root.shape.join() || gradient.dtype !== root.dtype) {
      throw new RangeError(`backward: Expected a gradient of shape [${root.shape.join(', ')}] (${root.dtype}) but received [${gradient.shape.join(', ')}] (${gradient.dtype})`);
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

  for (const tensor of reverseTopologicalOrder(root)) {
    const grad = pending.get(tensor);
    if (!grad) continue;
    pending.delete(tensor);
    if (tensor.hooks) for (const hook of tensor.hooks) hook(new Tensor(grad, tensor.shape));
    if (!tensor.node) {
      addToLeafGrad(tensor, grad);
      continue;
    }
    owned.delete(grad); // handed to the op, which may return it as an input's gradient
    const inputGrads = tensor.node.backward(grad);
    tensor.node.inputs.forEach((input, i) => {
      const g = inputGrads[i];
      if (g && input.requiresGrad) accumulate(input, g);
    });
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

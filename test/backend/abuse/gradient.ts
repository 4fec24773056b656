import { F, type Signature } from './signature';

/** Lists whose arrays share memory: clipping would scale or clamp some elements twice. */
function sharing(): Float32Array[][] {
  const shared = F(8);
  const twice = F(3);
  return [[F(2), shared.subarray(0, 5), shared.subarray(4, 8)], [twice, F(1), twice]];
}

export const GRADIENT_SIGNATURES: Record<string, Signature> = {
  gradNorm: {
    kinds: ['f32list'],
    valid: () => [[F(3), F(0), F(5)]],
    refused: () => [
      [[F(1), [F(1)]]], [[new Float64Array(2)]], [[F(1), null]], [[F(2), new Uint32Array(2)]],
      [[F(1), new DataView(new ArrayBuffer(4))]], [[F(2), F(2).buffer]],
    ],
  },
  clipGradNorm: {
    kinds: ['f32list', 'double'],
    valid: () => [[F(3), F(0), F(5)], 1],
    refused: () => [...sharing().map((grads) => [grads, 1]), [[F(3)], -1]],
  },
  clipGradValue: {
    kinds: ['f32list', 'float'],
    valid: () => [[F(3), F(0), F(5)], 0.5],
    refused: () => [...sharing().map((grads) => [grads, 1]), [[F(3)], -0.5]],
  },
  firstNonFinite: {
    kinds: ['f32'],
    valid: () => [F(9)],
    refused: () => [[[F(3)]], [new Int32Array(3)], [{ length: 3 }], [new Float64Array(9)]],
    freeLength: [0],
  },
};

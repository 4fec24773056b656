import { F, type Signature } from './signature';

const I = (values: number[]) => Int32Array.from(values);

/**
 * Three classes: the root (node 0) sends class 0 left and classes 1, 2 right to node 1.
 * pathOffsets, pathNodes, pathCodes, as the kernels take them.
 */
const tree = () => [I([0, 1, 3, 5]), I([0, 0, 1, 0, 1]), I([0, 1, 0, 1, 1])];

/** The same call with the tree arguments (at `at`) replaced. */
function withTree(valid: unknown[], at: number, offsets: Int32Array, nodes: Int32Array, codes: Int32Array): unknown[] {
  const args = valid.slice();
  args.splice(at, 3, offsets, nodes, codes);
  return args;
}

/** Bad trees every kernel refuses: offsets not from 0, offsets descending, a node out of range, a code of 2. */
function badTrees(valid: () => unknown[], at: number): unknown[][] {
  return [
    withTree(valid(), at, I([1, 1, 3, 5]), I([0, 0, 1, 0, 1]), I([0, 1, 0, 1, 1])),
    withTree(valid(), at, I([0, 4, 3, 5]), I([0, 0, 1, 0, 1]), I([0, 1, 0, 1, 1])),
    withTree(valid(), at, I([0, 1, 3, 5]), I([0, 0, 2, 0, 2]), I([0, 1, 0, 1, 1])),
    withTree(valid(), at, I([0, 1, 3, 5]), I([0, 0, 1, 0, 1]), I([2, 1, 0, 1, 1])),
    withTree(valid(), at, I([0, 1, 3, 5]), I([0, 0, 1, 0, -1]), I([0, 1, 0, 1, 1])),
  ];
}

// rows 2, features 3, classes 3 (2 inner nodes), depth 2, labels [0, 2].
const lossValid = () => [F(6), I([0, 2]), F(6), F(2), ...tree(), 2, 3, 3, 2, F(4), F(2)];
const backwardValid = () => [F(6), I([0, 2]), F(6), ...tree(), F(4), F(2), 2, 3, 3, 2, F(6), F(6), F(2)];
const logProbsValid = () => [F(6), F(6), F(2), ...tree(), 2, 3, 3, F(6)];

function replaced(valid: () => unknown[], changes: Record<number, unknown>): unknown[] {
  const args = valid();
  for (const [i, v] of Object.entries(changes)) args[Number(i)] = v;
  return args;
}

export const HSOFTMAX_SIGNATURES: Record<string, Signature> = {
  hsoftmaxLoss: {
    kinds: ['f32', 'i32', 'f32', 'f32', 'i32', 'i32', 'i32', 'index', 'index', 'index', 'index', 'f32', 'f32'],
    valid: lossValid,
    refused: () => {
      const shared = F(8);
      return [
        ...badTrees(lossValid, 4),
        replaced(lossValid, { 1: I([0, 3]) }), // label out of [0, classes)
        replaced(lossValid, { 1: I([-1, 0]) }),
        replaced(lossValid, { 10: 1, 11: F(2) }), // class 2's path is longer than depth 1
        replaced(lossValid, { 9: 0 }), // no classes
        replaced(lossValid, { 3: F(1) }), // bias neither classes-1 nor 0
        replaced(lossValid, { 11: shared.subarray(0, 4), 12: shared.subarray(3, 5) }), // losses overlaps dz
        replaced(lossValid, { 0: shared.subarray(0, 6), 11: shared.subarray(4, 8) }), // dz overlaps x
        replaced(lossValid, { 7: 2 ** 27, 8: 2 ** 27 }),
      ];
    },
  },
  hsoftmaxBackward: {
    kinds: ['f32', 'i32', 'f32', 'i32', 'i32', 'i32', 'f32', 'f32', 'index', 'index', 'index', 'index', 'f32', 'f32', 'f32'],
    valid: backwardValid,
    refused: () => {
      const shared = F(12);
      return [
        ...badTrees(backwardValid, 3),
        replaced(backwardValid, { 1: I([0, 3]) }),
        replaced(backwardValid, { 11: 1, 6: F(2) }), // path longer than depth
        replaced(backwardValid, { 14: F(3) }), // dbias neither classes-1 nor 0
        replaced(backwardValid, { 12: shared.subarray(0, 6), 13: shared.subarray(5, 11) }), // dweight overlaps dx
        replaced(backwardValid, { 2: shared.subarray(0, 6), 13: shared.subarray(6, 12), 14: shared.subarray(5, 7) }), // dbias overlaps weight
        replaced(backwardValid, { 6: shared.subarray(0, 4), 12: shared.subarray(3, 9) }), // dx overlaps dz
        replaced(backwardValid, { 2: shared.subarray(0, 6), 12: shared.subarray(0, 6) }), // dx is weight
      ];
    },
  },
  hsoftmaxLogProbs: {
    kinds: ['f32', 'f32', 'f32', 'i32', 'i32', 'i32', 'index', 'index', 'index', 'f32'],
    valid: logProbsValid,
    refused: () => {
      const shared = F(8);
      return [
        ...badTrees(logProbsValid, 3),
        replaced(logProbsValid, { 8: 0 }),
        replaced(logProbsValid, { 0: shared.subarray(0, 6), 9: shared.subarray(2, 8) }), // out overlaps x
        replaced(logProbsValid, { 6: 2 ** 27, 7: 2 ** 27 }),
      ];
    },
  },
};

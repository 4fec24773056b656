// Losses against closed forms: ln C at zero logits, the classic hinge example, reductions,
// weights and smoothing, stability at extreme logits, the ½ of the L2 penalty, and clear errors.
import { describe, expect, it } from 'vitest';
import { Tensor, logSoftmax, nn, tensor, zeros } from '../../lib';
import { backendNames, useBackend } from '../autograd/backends';

const F = nn.functional;

describe.each(backendNames())('losses on %s', (name) => {
  useBackend(name);

  it('crossEntropy of equal logits is ln C; its gradient is (p − onehot)/N', () => {
    const logits = zeros([4, 10]);
    logits.requiresGrad = true;
    const loss = F.crossEntropy(logits, [0, 3, 9, 3]);
    expect(loss.item()).toBeCloseTo(Math.log(10), 6);
    loss.backward();
    expect(logits.grad!.data[0]).toBeCloseTo((0.1 - 1) / 4, 7);
    expect(logits.grad!.data[1]).toBeCloseTo(0.1 / 4, 7);
  });

  it('crossEntropy reductions agree with −logSoftmax at the label', () => {
    const logits = tensor([[2, -1, 0.5], [0, 3, -2]]);
    const lp = logSoftmax(logits).data;
    const rows = [-lp[1]!, -lp[3 + 2]!];
    const none = F.crossEntropy(logits, [1, 2], { reduction: 'none' });
    expect(Array.from(none.data)).toEqual(rows.map((r) => expect.closeTo(r, 5)));
    expect(F.crossEntropy(logits, [1, 2], { reduction: 'sum' }).item()).toBeCloseTo(rows[0]! + rows[1]!, 5);
    expect(F.crossEntropy(logits, [1, 2]).item()).toBeCloseTo((rows[0]! + rows[1]!) / 2, 5);
    // Class weights: the mean divides by the labels' weights.
    const weighted = F.crossEntropy(logits, [1, 2], { weight: Float32Array.of(1, 2, 3) }).item();
    expect(weighted).toBeCloseTo((2 * rows[0]! + 3 * rows[1]!) / 5, 5);
    expect(F.nllLoss(logSoftmax(logits), [1, 2], { weight: Float32Array.of(1, 2, 3) }).item()).toBeCloseTo(weighted, 5);
    // Smoothing ε: (1 − ε)·(−lp_y) + ε·mean_c(−lp_c).
    const smooth = F.crossEntropy(logits, [1, 2], { labelSmoothing: 0.3, reduction: 'none' });
    const meanNeg = (r: number) => -(lp[r * 3]! + lp[r * 3 + 1]! + lp[r * 3 + 2]!) / 3;
    expect(smooth.data[0]).toBeCloseTo(0.7 * rows[0]! + 0.3 * meanNeg(0), 5);
    expect(F.crossEntropy(logits, [1, 2], { labelSmoothing: 0.3 }).item()).toBeCloseTo((smooth.data[0]! + smooth.data[1]!) / 2, 5);
  });

  it('crossEntropy stays finite for logits of ±1e30', () => {
    const loss = F.crossEntropy(tensor([[1e30, -1e30], [-1e30, 1e30]]), [0, 0]);
    expect(Number.isFinite(loss.item())).toBe(true);
    expect(loss.item()).toBeCloseTo(1e30, -25);
  });

  it('multiMarginLoss is the notes’ SVM: the classic scores give 2.9, 0 and 12.9', () => {
    const scores = tensor([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]]);
    const labels = [0, 1, 2];
    const rows = F.multiMarginLoss(scores, labels, { reduction: 'none' });
    expect(Array.from(rows.data)).toEqual([expect.closeTo(2.9, 5), 0, expect.closeTo(12.9, 5)]);
    expect(F.multiMarginLoss(scores, labels).item()).toBeCloseTo(15.8 / 3, 5);
    expect(F.multiMarginLoss(scores, labels, { reduction: 'sum' }).item()).toBeCloseTo(15.8, 4);
    expect(F.multiMarginLoss(zeros([5, 10]), [0, 1, 2, 3, 4]).item()).toBe(9); // C − 1
  });

  it('mseLoss and l1Loss with each reduction', () => {
    const p = tensor([1, 2, 3, 4]);
    const t = tensor([0, 2, 5, 3]);
    expect(F.mseLoss(p, t).item()).toBeCloseTo((1 + 0 + 4 + 1) / 4, 6);
    expect(F.mseLoss(p, t, { reduction: 'sum' }).item()).toBe(6);
    expect(Array.from(F.mseLoss(p, t, { reduction: 'none' }).data)).toEqual([1, 0, 4, 1]);
    expect(F.l1Loss(p, t).item()).toBe(1);
    expect(Array.from(F.l1Loss(p, t, { reduction: 'none' }).data)).toEqual([1, 0, 2, 1]);
    expect(() => F.mseLoss(p, tensor([1, 2]))).toThrow('mseLoss: Expected prediction and target of one shape but received [4] and [2]');
  });

  it('binaryCrossEntropyWithLogits: ln 2 at 0, no overflow at ±100, posWeight on the positive term', () => {
    expect(F.binaryCrossEntropyWithLogits(tensor([0]), tensor([1])).item()).toBeCloseTo(Math.LN2, 6);
    expect(F.binaryCrossEntropyWithLogits(tensor([100, -100]), tensor([0, 1]), { reduction: 'none' }).toArray()).toEqual([100, 100]);
    const weighted = F.binaryCrossEntropyWithLogits(tensor([[0.5, -1]]), tensor([[1, 1]]), { posWeight: Float32Array.of(3, 1), reduction: 'sum' });
    const sp = (z: number) => Math.log1p(Math.exp(z));
    expect(weighted.item()).toBeCloseTo(3 * sp(-0.5) + sp(1), 5);
    const none = F.binaryCrossEntropyWithLogits(tensor([[0.5, -1]]), tensor([[1, 1]]), { posWeight: Float32Array.of(3, 1), reduction: 'none' });
    expect(none.data[0]! + none.data[1]!).toBeCloseTo(weighted.item(), 5);
    expect(() => F.binaryCrossEntropyWithLogits(tensor([0]), tensor([2]), { reduction: 'none' })).toThrow(/targets in \[0, 1\]/);
  });

  it('penalties: L1 = Σ|w|, L2 = ½Σw², elastic net mixes them', () => {
    const a = tensor([1, -2]);
    const b = tensor([[3]]);
    expect(F.l1Penalty([a, b]).item()).toBe(6);
    expect(F.l2Penalty([a, b]).item()).toBe(7);
    expect(F.elasticNetPenalty([a, b], { l1: 0.5, l2: 2 }).item()).toBe(17);
    const w = new Tensor(Float32Array.of(0.5, -3), [2], { requiresGrad: true });
    F.l2Penalty([w]).backward();
    expect(Array.from(w.grad!.data)).toEqual([0.5, -3]); // the ½ makes the gradient w
  });

  it('a label out of range names the range; bad options are refused', () => {
    expect(() => F.crossEntropy(zeros([2, 3]), [0, 3])).toThrow('crossEntropy: Expected every label to be an integer in [0, 3) but labels[1] is 3');
    expect(() => F.crossEntropy(zeros([2, 3]), [0])).toThrow('crossEntropy: Expected 2 labels (one per row) but received 1');
    expect(() => F.crossEntropy(zeros([2, 3]), [0, 1.5])).toThrow(/labels\[1\] is 1.5/);
    expect(() => F.crossEntropy(zeros([3]), [0])).toThrow(/logits of shape \[N, C\]/);
    expect(() => F.crossEntropy(zeros([2, 3]), [0, 1], { reduction: 'avg' as never })).toThrow(/reduction "mean", "sum" or "none"/);
    expect(() => F.nllLoss(zeros([2, 3]), [0, 1], { weight: Float32Array.of(1, 2) })).toThrow('nllLoss: Expected 3 class weights but received 2');
  });

  it('the loss modules call their functions', () => {
    const logits = tensor([[1, 2, 3]]);
    expect(new nn.CrossEntropyLoss().forward(logits, [2]).item()).toBeCloseTo(F.crossEntropy(logits, [2]).item(), 7);
    expect(new nn.MSELoss({ reduction: 'sum' }).forward(tensor([1, 2]), tensor([0, 0])).item()).toBe(5);
    expect(new nn.MultiMarginLoss({ margin: 2 }).forward(tensor([[0, 0]]), [0]).item()).toBe(2);
    expect(new nn.L1Loss().forward(tensor([1]), tensor([3])).item()).toBe(2);
    expect(new nn.BCEWithLogitsLoss().forward(tensor([0]), tensor([0])).item()).toBeCloseTo(Math.LN2, 6);
    expect(new nn.NLLLoss().forward(tensor([[-1, -2]]), [1]).item()).toBe(2);
  });
});

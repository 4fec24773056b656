// Regression metrics against hand-computed values (in the target's units when the model learns
// standardized targets), R² as scikit-learn defines it, and the confusion matrix's counts.
import { describe, expect, it } from 'vitest';
import * as train from '../../lib/train';
import { Tensor } from '../../lib';

const t = (values: number[], shape: number[]) => new Tensor(Float32Array.from(values), shape);

describe('regression metrics', () => {
  it('MAE, RMSE and R² over batches equal their closed forms', () => {
    const predicted = [2.5, 0, 2, 8];
    const actual = [3, -0.5, 2, 7];
    const mae = new train.MeanAbsoluteError();
    const rmse = new train.RootMeanSquaredError();
    const r2 = new train.R2Score();
    for (const m of [mae, rmse, r2]) {
      m.reset();
      m.update(t(predicted.slice(0, 2), [2, 1]), t(actual.slice(0, 2), [2, 1]));
      m.update(t(predicted.slice(2), [2, 1]), t(actual.slice(2), [2, 1]));
    }
    expect(mae.compute()).toBeCloseTo(0.5, 12); // (0.5 + 0.5 + 0 + 1) / 4
    expect(rmse.compute()).toBeCloseTo(Math.sqrt(0.375), 12); // (0.25 + 0.25 + 0 + 1) / 4
    // scikit-learn's r2_score([3, -0.5, 2, 7], [2.5, 0.0, 2, 8]) = 0.9486081370449679
    expect(r2.compute()).toBeCloseTo(0.9486081370449679, 12);
  });

  it('report in the target\'s units through the inverse standardization, R² unchanged', () => {
    const units = { mean: [100], scale: [10] };
    const mae = new train.MeanAbsoluteError({ units });
    const r2 = new train.R2Score({ units });
    const plain = new train.R2Score();
    mae.update(t([0.1, -0.2], [2, 1]), t([0, 0], [2, 1]));
    r2.update(t([0.1, -0.2, 1], [3, 1]), t([0, -0.3, 1.2], [3, 1]));
    plain.update(t([0.1, -0.2, 1], [3, 1]), t([0, -0.3, 1.2], [3, 1]));
    expect(mae.compute()).toBeCloseTo(1.5, 5); // |1| and |−2| in units of 10
    expect(r2.compute()).toBeCloseTo(plain.compute(), 5);
  });

  it('averages R² over output columns and follows scikit-learn for constant targets', () => {
    // Column 0 perfect (R² 1); column 1: targets 1, 2, 3 predicted 1, 1, 1: 1 − 5/2 = −1.5.
    const r2 = new train.R2Score();
    r2.update(t([5, 1, 6, 1, 7, 1], [3, 2]), t([5, 1, 6, 2, 7, 3], [3, 2]));
    expect(r2.compute()).toBeCloseTo((1 - 1.5) / 2, 12);
    const constant = new train.R2Score();
    constant.update(t([2, 2], [2, 1]), t([2, 2], [2, 1]));
    expect(constant.compute()).toBe(1);
    constant.update(t([3], [1, 1]), t([2], [1, 1]));
    expect(constant.compute()).toBe(0);
    expect(new train.R2Score().compute()).toBeNaN(); // nothing seen
  });

  it('refuses mismatched shapes and are made by name', () => {
    expect(() => new train.MeanAbsoluteError().update(t([1, 2], [2, 1]), t([1], [1, 1]))).toThrow('mae: Expected outputs and targets of the same shape but received [2, 1] and [1, 1]');
    expect(() => new train.RootMeanSquaredError({ units: { mean: [0, 0], scale: [1, 1] } }).update(t([1], [1, 1]), t([1], [1, 1]))).toThrow(/Expected 2 outputs per row/);
    expect(train.makeMetric('rmse').name).toBe('rmse');
    expect(train.makeMetric('r2').higherIsBetter).toBe(true);
    expect(() => train.makeMetric('mse' as never)).toThrow(/Expected "accuracy", "mae", "rmse", "r2" or a Metric/);
  });
});

describe('ConfusionMatrix', () => {
  it('counts (target, prediction) pairs and gives per-class accuracy', () => {
    const m = new train.ConfusionMatrix(3);
    // predictions: argmax of each row: 0, 2, 2, 1 (a tie at row 4 goes to the first, 1)
    m.update(t([5, 1, 0, 0, 1, 3, 0, 0, 9, 0, 4, 4], [4, 3]), t([0, 1, 2, 1], [4]));
    expect(m.counts).toEqual([[1, 0, 0], [0, 1, 1], [0, 0, 1]]);
    expect(m.perClassAccuracy()).toEqual([1, 0.5, 1]);
    expect(m.accuracy()).toBe(0.75);
    expect(m.total).toBe(4);
    expect(() => m.update(t([1, 2, 3], [1, 3]), t([3], [1]))).toThrow('ConfusionMatrix: Expected class indices in [0, 2] but target 0 is 3');
  });
});

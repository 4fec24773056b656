// The one shape format of the library's messages, and layers that use it.
import { describe, expect, it } from 'vitest';
import { formatShape } from '../lib/format-shape';
import { tensor, zeros } from '../lib';
import { TensorDataset } from '../lib/data/dataset';
import { householderQR } from '../lib/nn/qr';

describe('formatShape', () => {
  it('writes [128, 784], [] for a 0-d shape, and the first 8 of many dimensions with their count', () => {
    expect(formatShape([128, 784])).toBe('[128, 784]');
    expect(formatShape([])).toBe('[]');
    expect(formatShape([7])).toBe('[7]');
    expect(formatShape(Array.from({ length: 10 }, (_, i) => i + 1))).toBe('[1, 2, 3, 4, 5, 6, 7, 8, … (10 dimensions)]');
  });

  it('is what the layers print', () => {
    expect(() => new TensorDataset(zeros([3, 2]), zeros([4]))).toThrow('received [3, 2] and [4]');
    expect(() => householderQR(new Float64Array(6), 2, 3)).toThrow('Expected rows >= columns but received shape [2, 3]');
    expect(String(tensor([[1, 2, 3]]))).toContain('shape=[1, 3]');
  });
});

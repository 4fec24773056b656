// Bad input to the convolutional layers and functions: an error naming the layer, the shapes and
// what was expected, never a crash or a silent NaN.
import { describe, expect, it } from 'vitest';
import { nn, randn, zeros } from '../../lib';

const F = nn.functional;

/** Throws `type` with a message containing every one of `parts`. */
function expectError(fn: () => unknown, type: typeof RangeError | typeof TypeError, parts: string[]): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error, 'an error').toBeInstanceOf(type);
  // Shapes are compared without spaces: [2, 2] and [2,2] alike.
  const squeeze = (text: string) => text.replace(/\s+/g, '');
  for (const part of parts) expect(squeeze((error as Error).message)).toContain(squeeze(part));
}

describe('Conv2d', () => {
  const conv = () => new nn.Conv2d(3, 8, 3);

  it('refuses an input of the wrong rank', () => {
    expectError(() => conv().call(zeros([4, 3])), RangeError, ['Conv2d(3, 8, kernelSize=[3, 3])', '[4,3]', 'Expected', '[N, 3, H, W]']);
    expectError(() => conv().call(zeros([1, 1, 3, 8, 8])), RangeError, ['Conv2d(3, 8', '[1,1,3,8,8]', '5-D']);
  });

  it('refuses an input with the wrong number of channels', () => {
    expectError(() => conv().call(zeros([2, 4, 8, 8])), RangeError, ['Conv2d(3, 8', '[2,4,8,8]', '3 channels']);
  });

  it('refuses channels that groups do not divide', () => {
    expectError(() => new nn.Conv2d(3, 8, 3, { groups: 2 }), RangeError, ['Conv2d(3, 8)', 'divisible by groups', 'groups = 2']);
    expectError(() => new nn.Conv2d(4, 6, 3, { groups: 4 }), RangeError, ['divisible by groups']);
    expectError(() => F.conv2d(zeros([1, 4, 5, 5]), zeros([6, 1, 3, 3]), null, { groups: 4 }), RangeError, ['conv2d', 'outChannels divisible by groups = 4', '[6,1,3,3]']);
  });

  it('refuses negative padding, zero stride or dilation, a bad padding word', () => {
    expectError(() => new nn.Conv2d(3, 8, 3, { padding: -1 }), RangeError, ['Conv2d', 'padding', '≥ 0', '-1']);
    expectError(() => new nn.Conv2d(3, 8, 3, { padding: [1, -2] }), RangeError, ['padding', '[1,-2]']);
    expectError(() => new nn.Conv2d(3, 8, 3, { stride: 0 }), RangeError, ['stride', '≥ 1']);
    expectError(() => new nn.Conv2d(3, 8, 3, { dilation: [1, 0] }), RangeError, ['dilation']);
    expectError(() => new nn.Conv2d(3, 8, [3, 0]), RangeError, ['kernelSize', '[3,0]']);
    expectError(() => new nn.Conv2d(3, 8, 3, { padding: 'full' as 'same' }), RangeError, ["'same', 'valid'", 'full']);
    expectError(() => new nn.Conv2d(3, 8, 3, { padding: 'same', stride: 2 }), RangeError, ["padding 'same' needs stride 1", '[2, 2]']);
    expectError(() => new nn.Conv2d(0, 8, 3), RangeError, ['inChannels', '0']);
    expectError(() => F.conv2d(zeros([1, 3, 8, 8]), zeros([8, 3, 3, 3]), null, { padding: -1 }), RangeError, ['conv2d', 'padding']);
  });

  it('refuses a kernel larger than the padded input (output size ≤ 0)', () => {
    expectError(() => new nn.Conv2d(1, 8, 5).call(zeros([2, 1, 3, 3])), RangeError, [
      'Conv2d(1, 8, kernelSize=[5, 5])', '[2,1,3,3]', 'padding [0,0]', 'is 3×3', 'kernel 5×5', 'expected',
    ]);
    expectError(() => new nn.Conv2d(1, 2, 3, { dilation: 3 }).call(zeros([1, 1, 6, 9])), RangeError, ['6×9', 'kernel 3×3 dilated to 7×7']);
    expectError(() => F.conv2d(zeros([1, 1, 0, 4]), zeros([1, 1, 1, 1])), RangeError, ['conv2d', '[1,1,0,4]']);
  });

  it('refuses a weight or bias of the wrong shape, and mixed dtypes', () => {
    expectError(() => F.conv2d(zeros([1, 3, 8, 8]), zeros([8, 3, 3])), RangeError, ['conv2d', 'weight', '[8,3,3]']);
    expectError(() => F.conv2d(zeros([1, 3, 8, 8]), zeros([8, 3, 3, 3]), zeros([7])), RangeError, ['bias of shape [8]', '[7]']);
    expectError(() => F.conv2d(zeros([1, 3, 8, 8]), zeros([8, 3, 3, 3], { dtype: 'float64' })), TypeError, ['one dtype']);
    expectError(() => F.conv2d([1, 2] as never, zeros([8, 3, 3, 3])), TypeError, ['Expected a Tensor']);
    expectError(() => F.conv2d(zeros([1, 3, 8, 8]), zeros([8, 3, 3, 3]), null, { activation: 'tanh' as 'relu' }), RangeError, ["'none' or 'relu'"]);
  });
});

describe('pooling', () => {
  it('refuses padding above half the kernel', () => {
    expectError(() => new nn.MaxPool2d(2, { padding: 2 }), RangeError, ['MaxPool2d', 'half the kernel size [2,2]', '[2,2]']);
    expectError(() => F.avgPool2d(zeros([1, 1, 4, 4]), { kernelSize: 3, padding: 2 }), RangeError, ['avgPool2d', 'half']);
  });

  it('refuses a window larger than the padded input, and the wrong rank', () => {
    expectError(() => new nn.MaxPool2d(3).call(zeros([1, 2, 2, 5])), RangeError, ['MaxPool2d(kernelSize=[3, 3]', '[1,2,2,5]', 'kernel 3×3']);
    expectError(() => new nn.AvgPool2d(2).call(zeros([2, 8])), RangeError, ['AvgPool2d', '[2,8]', '[N, C, H, W]']);
    expectError(() => new nn.AdaptiveAvgPool2d(2).call(zeros([3, 4, 5, 6, 7])), RangeError, ['AdaptiveAvgPool2d', '[3,4,5,6,7]']);
  });

  it('refuses bad options', () => {
    expectError(() => new nn.MaxPool2d(0), RangeError, ['kernelSize']);
    expectError(() => new nn.MaxPool2d(2, { stride: 0 }), RangeError, ['stride']);
    expectError(() => new nn.AvgPool2d(2, { divisorOverride: 0 }), RangeError, ['divisorOverride']);
    expectError(() => new nn.AdaptiveAvgPool2d(0), RangeError, ['outputSize', '0']);
    expectError(() => new nn.AdaptiveAvgPool2d([2, 3, 4] as never), RangeError, ['outputSize']);
    expectError(() => F.adaptiveAvgPool2d(zeros([1, 1, 0, 3]), 2), RangeError, ['non-empty', '[1,1,0,3]']);
    expectError(() => new nn.MaxPool2d(2, { ceilMode: 'yes' as never }), TypeError, ['ceilMode']);
  });
});

describe('BatchNorm2d and Dropout2d', () => {
  it('BatchNorm2d wants [N, C, H, W] with its channels', () => {
    const bn = new nn.BatchNorm2d(4);
    expectError(() => bn.call(zeros([8, 4])), RangeError, ['BatchNorm2d(4)', '[N, 4, H, W]', '[8,4]']);
    expectError(() => bn.call(zeros([2, 3, 5, 5])), RangeError, ['BatchNorm2d(4)', '[2,3,5,5]']);
    expectError(() => bn.call(zeros([1, 4, 1, 1])), RangeError, ['more than 1 value per channel']);
    expectError(() => new nn.BatchNorm2d(0), RangeError, ['BatchNorm2d', 'numFeatures']);
    expectError(() => new nn.BatchNorm2d(3, { momentum: 2 }), RangeError, ['BatchNorm2d', 'momentum']);
  });

  it('Dropout2d wants p in [0, 1] and a spatial input', () => {
    expectError(() => new nn.Dropout2d(1.5), RangeError, ['Dropout2d', '[0, 1]', '1.5']);
    expectError(() => new nn.Dropout2d(0.5).call(randn([4, 5])), RangeError, ['Dropout2d(p=0.5)', '[4,5]']);
  });
});

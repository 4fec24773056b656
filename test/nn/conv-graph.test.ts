// The tape of a CNN read as data: each convolutional op records its name and its attributes
// (stride, padding, dilation, groups, kernel size, …) as plain, frozen values.
import { expect, it } from 'vitest';
import { graphOf, manualSeed, nn, randn } from '../../lib';

it('Conv2d(relu), BatchNorm2d, MaxPool2d, depthwise Conv2d, Dropout2d, AvgPool2d, AdaptiveAvgPool2d, Flatten, Linear', () => {
  manualSeed(0);
  const model = new nn.Sequential(
    new nn.Conv2d(1, 4, 3, { padding: 'same', activation: 'relu' }), new nn.BatchNorm2d(4), new nn.MaxPool2d(2, { ceilMode: true }),
    new nn.Conv2d(4, 4, [3, 4], { groups: 4, padding: 'same', dilation: [2, 1], bias: false }), new nn.Dropout2d(0.25),
    new nn.AvgPool2d(2, { stride: 1, countIncludePad: false }), new nn.AdaptiveAvgPool2d([2, 1]), new nn.Flatten(), new nn.Linear(8, 3),
  );
  const graph = graphOf(model.call(randn([2, 1, 9, 9])).sum());
  const ops = graph.nodes.map(({ node }) => [node.op, node.attributes]);
  expect(ops.slice(0, 7)).toEqual([
    ['conv2d', { stride: [1, 1], padding: [1, 1, 1, 1], dilation: [1, 1], groups: 1, kernelSize: [3, 3], activation: 'relu' }],
    ['batchNorm', { eps: 1e-5, momentum: 0.1, training: true, batchStatistics: true, trackRunningStats: true }],
    ['maxPool2d', { kernelSize: [2, 2], stride: [2, 2], padding: [0, 0], dilation: [1, 1], ceilMode: true }],
    // 'same': rows 2·(3 − 1) = 4 split 2 + 2; a 4-wide kernel needs 3 columns, the extra one on the right.
    ['conv2d', { stride: [1, 1], padding: [2, 1, 2, 2], dilation: [2, 1], groups: 4, kernelSize: [3, 4], activation: 'none' }],
    ['dropout2d', { p: 0.25 }],
    ['avgPool2d', { kernelSize: [2, 2], stride: [1, 1], padding: [0, 0], ceilMode: false, countIncludePad: false, divisorOverride: null }],
    ['adaptiveAvgPool2d', { outputSize: [2, 1] }],
  ]);
  for (const { node } of graph.nodes) {
    expect(Object.isFrozen(node.attributes)).toBe(true);
    expect(JSON.parse(JSON.stringify(node.attributes))).toEqual(node.attributes);
  }
});

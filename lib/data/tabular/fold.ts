/**
 * Standardization folded into the weights: an MLP trained on standardized features,
 * z = W·((x − μ)/σ) + b, equals one with W' = W/σ and b' = b − W·(μ/σ) on the raw features; a
 * regressor's output de-standardized, y = s·out + m, equals one with its last layer scaled by s
 * and shifted by m. The folded weights make a model that needs nothing but the encoded (and
 * filled-in) features, which is the form an exported model (ONNX, another runtime) can use.
 */
import { Tensor } from '../../autograd/tensor';
import { Linear } from '../../nn/layers/linear';
import { Sequential } from '../../nn/sequential';
import type { TabularSpec } from './tabular-spec';

function fail(message: string): never {
  throw new RangeError(`foldStandardization: ${message}`);
}

function linearAt(model: Sequential, index: number, what: string): [string, Linear] {
  const layer = model[index];
  if (!(layer instanceof Linear)) fail(`Expected the model's ${what} layer to be a Linear but it is ${layer?.constructor.name ?? 'missing'}`);
  if (!layer.bias) fail(`Expected the model's ${what} Linear layer to have a bias to absorb the mean`);
  return [String(index), layer];
}

/**
 * A copy of the model's state dict with the spec's fitted standardization folded in: load it
 * into a model of the same architecture, which then takes unstandardized features (and, for a
 * regressor, predicts in the target's own units). Computed in double.
 */
export function foldStandardization(spec: TabularSpec, model: Sequential): Record<string, Tensor> {
  if (!(model instanceof Sequential) || model.length < 1) fail('Expected a Sequential model whose first layer is Linear');
  const state = Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, Float64Array.from(t.data)]));
  const shapes = Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, t.shape]));
  const features = spec.featureScaling;
  if (features) {
    const [name, first] = linearAt(model, 0, 'first');
    if (first.inFeatures !== spec.inputs) fail(`the first layer takes ${first.inFeatures} features but the spec encodes ${spec.inputs}`);
    const w = state[`${name}.weight`]!;
    const b = state[`${name}.bias`]!;
    const d = first.inFeatures;
    for (let o = 0; o < first.outFeatures; o++) {
      let shift = 0;
      for (let i = 0; i < d; i++) {
        w[o * d + i]! /= features.scale[i]!;
        shift += w[o * d + i]! * features.mean[i]!;
      }
      b[o]! -= shift;
    }
  }
  const target = spec.targetScaling;
  if (target) {
    const [name, last] = linearAt(model, model.length - 1, 'last');
    if (last.outFeatures !== spec.outputs) fail(`the last layer gives ${last.outFeatures} outputs but the spec has ${spec.outputs} targets`);
    const w = state[`${name}.weight`]!;
    const b = state[`${name}.bias`]!;
    const d = last.inFeatures;
    for (let o = 0; o < last.outFeatures; o++) {
      for (let i = 0; i < d; i++) w[o * d + i]! *= target.scale[o]!;
      b[o] = b[o]! * target.scale[o]! + target.mean[o]!;
    }
  }
  const dtypes = Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, t.dtype]));
  return Object.fromEntries(Object.entries(state).map(([k, v]) => [k, new Tensor(dtypes[k] === 'float64' ? v : Float32Array.from(v), shapes[k]!)]));
}

// Hostile ONNX files: 12 000 seeded mutations of files onnx.exportModel writes (MLPs with batch
// norm, an LSTM, a GRU, a character LM, a hierarchical softmax, CNNs with grouped and dilated
// convolutions, batch norm, GELU's Erf pattern and every pooling, a shape-arithmetic graph, a
// graph of PyTorch's CNN patterns: Pad, Clip, HardSwish, view()):
// byte-level damage (flips, truncation, insertion, …) and structural lies re-encoded as valid
// protobuf (truncated or missing initializers, wrong element types, nodes reading values defined
// later or their own outputs, absurd and negative dims, wrong attribute types, unknown ops,
// absurd kernel shapes, pads, strides, dilations and groups, deep nesting). Each case is either imported and then runs on a small input, or refused with an
// "onnx.importModel: …" error; never an engine error, never more memory than the file's size
// allows. Runs standalone (the sanitizer script).
import { describe, expect, it } from 'vitest';
import { manualSeed, nn, onnx, Tensor } from '../../lib';
import { type ModelProto, decodeModel, encodeModel } from '../../lib/interop/onnx/proto';
import { FuzzRng, describeTally, mutateBytes, newTally, refusedWith, runCase, type FuzzTally, type Loaded } from '../io/fuzz-mutator';

const PREFIX = 'onnx.importModel: ';

function seeds(): Uint8Array[] {
  manualSeed(9);
  const bn = new nn.BatchNorm1d(4);
  const models: [nn.Module<any>, (number | string | null)[]][] = [ // eslint-disable-line @typescript-eslint/no-explicit-any
    [new nn.Sequential(new nn.Linear(6, 4), bn, new nn.ReLU(), new nn.Dropout(0.1), new nn.Linear(4, 3), new nn.Tanh()), [6]],
    [new nn.Sequential(new nn.Flatten(), new nn.Linear(6, 2), new nn.LeakyReLU(0.2), new nn.Softplus(), new nn.Softplus(2, 1.5)), [2, 3]],
    [new nn.LSTM({ inputSize: 3, hiddenSize: 2, numLayers: 2 }), [4, 3]],
    [new nn.GRU({ inputSize: 2, hiddenSize: 3 }), [3, 2]],
    [new nn.RNN({ inputSize: 2, hiddenSize: 2, nonlinearity: 'relu', batchFirst: false }), [2, 2]],
    [new nn.CharLM({ vocabSize: 5, embeddingDim: 3, hiddenSize: 4 }), [3]],
    [new nn.HierarchicalSoftmax(3, 5), [3]],
    [new nn.Sequential(
      new nn.Conv2d(2, 4, 3, { padding: 1, groups: 2 }), new nn.BatchNorm2d(4), new nn.GELU(), new nn.MaxPool2d(2, { ceilMode: true }),
      new nn.Conv2d(4, 3, 2, { padding: 'same', dilation: 2, activation: 'relu' }), new nn.AvgPool2d(2, { padding: 1, countIncludePad: false }),
      new nn.AdaptiveAvgPool2d(1), new nn.Flatten(), new nn.Linear(3, 2)), [2, 5, 5]],
    [new nn.Sequential(new nn.Unflatten(1, [1, 6, 6]), new nn.Conv2d(1, 2, 3, { stride: 2 }), new nn.AvgPool2d(2, { divisorOverride: 3 }), new nn.Flatten()), [36]],
  ];
  const files = models.map(([m, shape]) => onnx.exportModel(m.eval(), { inputShape: shape }));
  files.push(encodeModel(shapeGraph()), encodeModel(torchCnnGraph()));
  return files;
}

/** What torch.onnx.export writes for a small CNN: Conv, Pad + AveragePool, Clip (ReLU6), HardSwish, view() as Shape … Reshape, Gemm. */
function torchCnnGraph(): ModelProto {
  const i64 = (name: string, values: number[]) => ({ name, dims: [values.length], data_type: 7, int64_data: values });
  const f32 = (name: string, dims: number[]) => ({ name, dims, data_type: 1, float_data: Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => Math.cos(i)) });
  const ints = (name: string, v: number[]) => ({ name, type: 7, ints: v });
  const int = (name: string, v: number) => ({ name, type: 2, i: v });
  return {
    ir_version: 8, opset_import: [{ domain: '', version: 17 }],
    graph: {
      name: 'torch-cnn',
      input: [{ name: 'input', type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_param: 'batch' }, { dim_value: 1 }, { dim_value: 6 }, { dim_value: 6 }] } } } }],
      output: [{ name: 'output', type: { tensor_type: { elem_type: 1 } } }],
      initializer: [
        f32('0.weight', [3, 1, 3, 3]), f32('0.bias', [3]), i64('pads', [0, 0, 1, 1, 0, 0, 1, 1]), f32('lo', []), f32('hi', []),
        i64('zero', [0]), i64('minus_one', [-1]), f32('fc.weight', [2, 27]), f32('fc.bias', [2]),
      ],
      node: [
        { name: '/0/Conv', op_type: 'Conv', input: ['input', '0.weight', '0.bias'], output: ['c'], attribute: [ints('kernel_shape', [3, 3]), ints('pads', [1, 1, 1, 1]), ints('strides', [1, 1]), ints('dilations', [1, 1]), int('group', 1)] },
        { name: '/1/Pad', op_type: 'Pad', input: ['c', 'pads'], output: ['p'], attribute: [{ name: 'mode', type: 3, s: new Uint8Array(Buffer.from('constant')) }] },
        { name: '/1/AveragePool', op_type: 'AveragePool', input: ['p'], output: ['a'], attribute: [ints('kernel_shape', [3, 3]), ints('strides', [2, 2]), ints('pads', [0, 0, 0, 0]), int('ceil_mode', 0)] },
        { name: '/2/Clip', op_type: 'Clip', input: ['a', 'lo', 'hi'], output: ['r6'] },
        { name: '/3/HardSwish', op_type: 'HardSwish', input: ['r6'], output: ['hs'] },
        { name: '/Shape', op_type: 'Shape', input: ['hs'], output: ['s'] },
        { name: '/Gather', op_type: 'Gather', input: ['s', 'zero'], output: ['n'], attribute: [int('axis', 0)] },
        { name: '/Concat', op_type: 'Concat', input: ['n', 'minus_one'], output: ['target'], attribute: [int('axis', 0)] },
        { name: '/Reshape', op_type: 'Reshape', input: ['hs', 'target'], output: ['flat'] },
        { name: '/fc/Gemm', op_type: 'Gemm', input: ['flat', 'fc.weight', 'fc.bias'], output: ['output'], attribute: [int('transB', 1)] },
      ],
    },
  };
}

/** Shape, Gather, ConstantOfShape, Slice, Concat, Unsqueeze, Reshape: PyTorch's LSTM preamble in small. */
function shapeGraph(): ModelProto {
  const i64 = (name: string, values: number[]) => ({ name, dims: [values.length], data_type: 7, int64_data: values });
  return {
    ir_version: 8, opset_import: [{ domain: '', version: 17 }],
    graph: {
      name: 'shapes',
      input: [{ name: 'x', type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_param: 'batch' }, { dim_value: 4 }] } } } }],
      output: [{ name: 'y', type: { tensor_type: { elem_type: 1 } } }],
      initializer: [i64('zero', [0]), i64('one', [1]), i64('two', [2]), i64('axes', [0]), i64('flat', [-1, 2]), { name: 'w', dims: [4, 2], data_type: 1, float_data: [1, 2, 3, 4, 5, 6, 7, 8] }],
      node: [
        { op_type: 'Shape', input: ['x'], output: ['s'] },
        { op_type: 'Gather', input: ['s', 'zero'], output: ['n'], attribute: [{ name: 'axis', type: 2, i: 0 }] },
        { op_type: 'Concat', input: ['n', 'two'], output: ['zs'], attribute: [{ name: 'axis', type: 2, i: 0 }] },
        { op_type: 'ConstantOfShape', input: ['zs'], output: ['z'] },
        { op_type: 'MatMul', input: ['x', 'w'], output: ['xw'] },
        { op_type: 'Add', input: ['xw', 'z'], output: ['sum'] },
        { op_type: 'Slice', input: ['sum', 'zero', 'one', 'one'], output: ['col'] },
        { op_type: 'Reshape', input: ['col', 'flat'], output: ['r'] },
        { op_type: 'Unsqueeze', input: ['r', 'axes'], output: ['y'] },
      ],
    },
  };
}

/** A ModelProto with one structural lie; re-encoded, so the protobuf itself is valid. */
/** The int64 fields of a decoded ModelProto back to numbers (decodeModel gives strings, which encodeModel's verify refuses). */
function int64sToNumbers<T>(value: T): T {
  const INT64_FIELDS = new Set(['dims', 'i', 'ints', 'int64_data', 'ir_version', 'version', 'dim_value', 'model_version']);
  const walk = (v: unknown, key = ''): unknown => {
    if (Array.isArray(v)) return v.map((x) => walk(x, key));
    if (typeof v === 'string' && INT64_FIELDS.has(key) && /^-?\d+$/.test(v)) return Number(v);
    if (v && typeof v === 'object' && !(v instanceof Uint8Array)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    return v;
  };
  return walk(value) as T;
}

function mutateStructure(rng: FuzzRng, bytes: Uint8Array): { bytes: Uint8Array; label: string } {
  const m = int64sToNumbers(decodeModel(bytes));
  const g = m.graph!;
  const inits = g.initializer ?? [];
  const nodes = g.node ?? [];
  const kinds = ['truncate-initializer', 'drop-initializer', 'initializer-type', 'dims', 'swap-nodes', 'self-loop', 'op-type', 'attribute-type', 'input-dims', 'drop-graph', 'opset', 'duplicate-output', 'attribute-value', 'rename-input', 'external-data', 'window', 'window'];
  const kind = rng.pick(kinds);
  const pickInit = () => (inits.length ? inits[rng.int(inits.length)]! : null);
  const absurd = () => rng.pick([0, -1, 2 ** 31, 2 ** 40, 1e15, 3, 2 ** 28 + 1, 65536]);
  switch (kind) {
    case 'truncate-initializer': {
      const t = pickInit();
      if (t?.raw_data) t.raw_data = t.raw_data.subarray(0, rng.int(t.raw_data.length));
      else if (t?.float_data) t.float_data = t.float_data.slice(0, rng.int(t.float_data.length));
      break;
    }
    case 'drop-initializer': if (inits.length) inits.splice(rng.int(inits.length), 1); break;
    case 'initializer-type': { const t = pickInit(); if (t) t.data_type = rng.pick([0, 2, 6, 7, 8, 9, 10, 11, 16, 99]); break; }
    case 'dims': { const t = pickInit(); if (t) t.dims = (t.dims ?? []).map((d) => (rng.chance(0.5) ? absurd() : d)).concat(rng.chance(0.2) ? [absurd()] : []); break; }
    case 'swap-nodes': if (nodes.length > 1) { const i = rng.int(nodes.length - 1); [nodes[i], nodes[i + 1]] = [nodes[i + 1]!, nodes[i]!]; } break;
    case 'self-loop': if (nodes.length) { const n = nodes[rng.int(nodes.length)]!; n.input = [n.output![0]!, ...(n.input ?? []).slice(1)]; } break;
    case 'op-type': if (nodes.length) nodes[rng.int(nodes.length)]!.op_type = rng.pick(['Conv', 'Gemm', 'LSTM', 'Reshape', 'Gather', 'Slice', 'ConstantOfShape', 'Softmax', 'X'.repeat(500), '', 'Transpose', 'Cast', 'Where', 'Greater', 'MaxPool', 'Pad', 'Erf']); break;
    case 'attribute-type': {
      const n = nodes.find((x) => (x.attribute ?? []).length > 0);
      if (n) { const a = n.attribute![rng.int(n.attribute!.length)]!; a.type = rng.pick([0, 1, 2, 3, 4, 5, 6, 7, 8, 99]); }
      break;
    }
    case 'attribute-value': {
      const n = nodes.find((x) => (x.attribute ?? []).length > 0);
      if (n) { const a = n.attribute![rng.int(n.attribute!.length)]!; a.i = absurd(); a.f = rng.pick([NaN, Infinity, -1, 0, 1e30]); a.ints = [absurd(), -5]; }
      break;
    }
    case 'input-dims': {
      const dims = g.input?.[0]?.type?.tensor_type?.shape?.dim;
      if (dims?.length) dims[rng.int(dims.length)] = { dim_value: absurd() };
      break;
    }
    case 'drop-graph': delete m.graph; break;
    case 'opset': m.opset_import = rng.chance(0.3) ? [] : [{ domain: rng.pick(['', 'com.microsoft']), version: rng.pick([1, 12, 13, 22, 1e15]) }]; break;
    case 'duplicate-output': if (nodes.length > 1) nodes[1]!.output = [...nodes[0]!.output!]; break;
    case 'rename-input': if (g.input?.[0]) g.input[0].name = rng.pick(['', 'other', g.output?.[0]?.name ?? 'y']); break;
    case 'window': {
      // A convolution's or pooling's geometry made absurd: kernel shapes, pads, strides, dilations, groups, auto_pad.
      const windows = nodes.filter((x) => ['Conv', 'MaxPool', 'AveragePool', 'Pad'].includes(x.op_type ?? ''));
      const n = windows.length ? rng.pick(windows) : null;
      if (!n) break;
      const name = rng.pick(['kernel_shape', 'pads', 'strides', 'dilations', 'group', 'auto_pad', 'ceil_mode', 'count_include_pad']);
      const value = () => rng.pick([0, -1, 1, 2, 3, 7, 2 ** 20, 2 ** 31, 2 ** 40]);
      const length = rng.pick([0, 1, 2, 2, 4, 4, 6]);
      const a = name === 'group' || name === 'ceil_mode' || name === 'count_include_pad'
        ? { name, type: 2, i: value() }
        : name === 'auto_pad' ? { name, type: 3, s: new Uint8Array(Buffer.from(rng.pick(['SAME_UPPER', 'SAME_LOWER', 'VALID', 'NOTSET', 'BOGUS']))) }
          : { name, type: 7, ints: Array.from({ length }, value) };
      n.attribute = [...(n.attribute ?? []).filter((x) => x.name !== name), a];
      break;
    }
    case 'external-data': { const t = pickInit(); if (t) { t.data_location = 1; t.external_data = [{ key: 'location', value: '/etc/passwd' }]; } break; }
  }
  try {
    return { bytes: encodeModel(m), label: kind };
  } catch {
    return { bytes, label: `${kind} (not encodable, seed as is)` };
  }
}

/** The input the imported graph declares, at batch 2 (ids for an integer input). */
function sampleInput(model: onnx.ImportedModel): Tensor {
  const dims = model.inputShape.map((d, i) => (d ?? (i === 0 ? 2 : 3)));
  const size = dims.reduce((a, b) => a * b, 1);
  if (size > 1 << 16) throw new RangeError(`${PREFIX}(test) the declared input [${dims.join(', ')}] is too large to run`);
  return new Tensor(Float32Array.from({ length: size }, (_, i) => (model.integerInput ? i % 2 : Math.sin(i))), dims);
}

function load(bytes: Uint8Array): Loaded {
  const model = onnx.importModel(bytes);
  try {
    const outputs = model.run(sampleInput(model));
    for (const t of Object.values(outputs)) expect(t).toBeInstanceOf(Tensor);
  } catch (e) {
    // A graph that imports but cannot run on the input it declares: a RangeError or TypeError
    // from the op that refused, which is what a user sees.
    if ((e instanceof RangeError || e instanceof TypeError) && !e.message.startsWith(PREFIX)) throw new RangeError(`${PREFIX}(running) ${e.message}`);
    throw e;
  }
  return { arrays: Object.values(model.stateDict()).map((t) => ({ shape: [...t.shape], data: t.data })) };
}

/** Nested AttributeProto.g → GraphProto.node → NodeProto.attribute, `depth` levels: deep recursion in the decoder. */
function nested(depth: number): Uint8Array {
  const varint = (n: number) => { const out: number[] = []; while (n > 127) { out.push((n & 127) | 128); n >>>= 7; } out.push(n); return out; };
  const wrap = (field: number, body: Uint8Array): Uint8Array => Buffer.concat([Uint8Array.from([(field << 3) | 2, ...varint(body.length)]), body]);
  let inner: Uint8Array = new Uint8Array(0);
  for (let d = 0; d < depth; d++) inner = wrap(1, wrap(5, wrap(6, inner))); // graph.node[…].attribute[…].g
  return wrap(7, inner); // ModelProto.graph
}

describe('fuzzed ONNX files', () => {
  it('every one of 12 000 mutations imports and runs, or is refused with an onnx.importModel error', () => {
    const files = seeds();
    const rng = new FuzzRng(4242);
    const tally: FuzzTally = newTally();
    for (const [i, bytes] of files.entries()) runCase(tally, `seed ${i}`, bytes, PREFIX, 4, load);
    expect(tally.failures, 'the seeds').toEqual([]);
    expect([...tally.reasons.keys()], 'the seeds').toEqual([]);
    expect(tally.loaded).toBe(files.length);
    const CASES = Number(process.env.FUZZ_ONNX_CASES ?? 12_000);
    for (let c = 0; c < CASES; c++) {
      const seed = rng.pick(files);
      const { bytes, label } = rng.chance(0.5) ? mutateStructure(rng, seed) : mutateBytes(rng, seed, [0, 2, 4, 8, 16, seed.length >> 1, seed.length - 8]);
      runCase(tally, `case ${c} (${label})`, bytes, PREFIX, 4, load);
    }
    for (const depth of [10, 1000, 20_000]) runCase(tally, `nested ${depth}`, nested(depth), PREFIX, 4, load);
    console.log(describeTally('ONNX', tally));
    expect(tally.failures).toEqual([]);
    expect(tally.cases).toBeGreaterThanOrEqual(Math.min(10_000, CASES));
    expect(tally.loaded).toBeGreaterThan(200);
    expect(refusedWith(tally, 'the file is not a valid ONNX ModelProto')).toBeGreaterThan(100);
    expect(tally.reasons.size).toBeGreaterThan(25);
    // The absurd windows reach the convolution and pooling entries, which refuse them by name.
    const windowRefusals = [...tally.reasons].filter(([r]) => /\((Conv|MaxPool|AveragePool)\)/.test(r)).reduce((a, [, n]) => a + n, 0);
    expect(windowRefusals).toBeGreaterThan(100);
    expect(tally.peakArrayBuffers).toBeLessThan(512 * 2 ** 20);
  }, 300_000);
});

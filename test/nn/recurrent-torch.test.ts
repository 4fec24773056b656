// nn.RNN, nn.LSTM and nn.GRU against PyTorch (/usr/bin/python3 with python3-torch) on the same
// weights and inputs: outputs, final states and every gradient (weights, biases, input, initial
// state) within 1e-5, for two stacked layers on the float32 backend in use.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { manualSeed, nn, randn, Tensor } from '../../lib';
import { expectClose } from '../backend/expect-close';
import { describeWithPeers } from '../peers';

type Kind = 'rnn' | 'lstm' | 'gru';
const CASES: [string, Kind, Record<string, unknown>][] = [
  ['RNN tanh', 'rnn', { nonlinearity: 'tanh' }],
  ['RNN relu', 'rnn', { nonlinearity: 'relu' }],
  ['LSTM', 'lstm', {}],
  ['GRU', 'gru', {}],
  ['GRU without biases', 'gru', { bias: false }],
];

interface Run {
  layer: nn.Module<nn.RecurrentOutput>;
  out: nn.RecurrentOutput;
  x: Tensor;
  h0: Tensor;
  c0: Tensor;
  spec: Record<string, unknown>;
}

/** Runs a two-layer model forward and backward in tensorgrad; returns what PyTorch needs too. */
function runTensorgrad(kind: Kind, extra: Record<string, unknown>): Run {
  manualSeed(2024);
  const [N, T, F, H, L] = [3, 6, 4, 5, 2];
  const options = { inputSize: F, hiddenSize: H, numLayers: L, ...extra };
  const layer = kind === 'rnn' ? new nn.RNN(options) : kind === 'lstm' ? new nn.LSTM(options) : new nn.GRU(options);
  const x = randn([N, T, F], { requiresGrad: true });
  const h0 = randn([L, N, H], { requiresGrad: true });
  const c0 = randn([L, N, H], { requiresGrad: true });
  const gy = randn([N, T, H]);
  const gh = randn([L, N, H]);
  const gc = randn([L, N, H]);
  const out = layer instanceof nn.LSTM ? layer.forward(x, { h: h0, c: c0 }) : layer.forward(x, h0);
  let loss = out.output.mul(gy).sum().add(out.h.mul(gh).sum());
  if (out.c) loss = loss.add(out.c.mul(gc).sum());
  loss.backward();
  const list = (t: Tensor) => Array.from(t.data);
  const params = Object.fromEntries(layer.namedParameters().map(([name, p]) => [name, list(p)]));
  const spec = {
    kind, numLayers: L, hiddenSize: H, inputSize: F, N, T, bias: extra['bias'] ?? true,
    nonlinearity: extra['nonlinearity'] ?? 'tanh', params,
    x: list(x), h0: list(h0), c0: list(c0), gy: list(gy), gh: list(gh), gc: list(gc),
  };
  return { layer, out, x, h0, c0, spec };
}

describeWithPeers('torch', 'recurrent layers match PyTorch', () => {
  let runs: Run[] = [];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let wanted: any[] = [];
  beforeAll(() => {
    runs = CASES.map(([, kind, extra]) => runTensorgrad(kind, extra));
    const script = join(__dirname, 'torch-recurrent.py');
    wanted = JSON.parse(execFileSync('/usr/bin/python3', [script], { input: JSON.stringify(runs.map((r) => r.spec)), encoding: 'utf8' }));
  }, 120_000);

  it.each(CASES.map((c, i) => [c[0], i] as const))('%s: outputs, final state and all gradients', (_label, i) => {
    const { layer, out, x, h0, c0, spec } = runs[i]!;
    const want = wanted[i];
    const tol = 1e-5;
    expectClose(out.output.data, want.output, tol, 'output');
    expectClose(out.h.data, want.h, tol, 'h');
    if (spec['kind'] === 'lstm') {
      expectClose(out.c!.data, want.c, tol, 'c');
      expectClose(c0.grad!.data, want.dc0, tol, 'dc0');
    }
    expectClose(x.grad!.data, want.dx, tol, 'dx');
    expectClose(h0.grad!.data, want.dh0, tol, 'dh0');
    expect(layer.namedParameters().map(([n]) => n)).toEqual(Object.keys(want.grads));
    for (const [name, p] of layer.namedParameters()) expectClose(p.grad!.data, want.grads[name], tol, `∂L/∂${name}`);
  });
});

// SyncBatchNorm on 2 ranks for each fixtures.BN_CASES case, in float64 and float32: the output,
// the gradients and the running statistics of each rank (compared in the test with BatchNorm1d
// on the concatenated batch), and a distributed numerical gradient check: every input element,
// γ and β perturbed in lock step, the loss Σ_r Σ dy·y all-reduced, centred differences.
'use strict';
const tg = require('../../../dist');
const { distributed, nn, tensor, noGrad } = tg;
const { BN_CASES, bnInput, bnUpstream } = require('../fixtures.cjs');

const group = distributed.init({ timeout: 60 });
const { rank } = group;
const say = require('./records.cjs').recorder(rank);

function layerFor(c, dtype, momentum = 0.1) {
  const layer = new nn.SyncBatchNorm(c, { dtype, momentum });
  for (let j = 0; j < c; j++) {
    layer.weight.data[j] = 0.5 + 0.25 * j;
    layer.bias.data[j] = 0.1 * j - 0.05;
  }
  return layer;
}

for (const dtype of ['float64', 'float32']) {
  for (const [name, { rows, c, hw }] of Object.entries(BN_CASES)) {
    const shape = hw === 1 ? [rows[rank], c] : [rows[rank], c, hw];
    const layer = layerFor(c, dtype);
    const x = tensor(bnInput(name, rank), shape, { requiresGrad: true, dtype });
    const dy = tensor(bnUpstream(name, rank), shape, { dtype });
    const y = layer.call(x);
    y.mul(dy).sum().backward();
    say({
      what: `${name}-${dtype}`, y: Array.from(y.data), dx: Array.from(x.grad.data), dgamma: Array.from(layer.weight.grad.data),
      dbeta: Array.from(layer.bias.grad.data), runningMean: Array.from(layer.runningMean.data), runningVar: Array.from(layer.runningVar.data),
    });
  }
}

// Numerical gradients in float64, h = 1e-6: the loss of the whole job, all-reduced.
for (const [name, { rows, c, hw }] of Object.entries(BN_CASES)) {
  const shape = hw === 1 ? [rows[rank], c] : [rows[rank], c, hw];
  const layer = layerFor(c, 'float64', 0);
  const x = tensor(bnInput(name, rank), shape, { requiresGrad: true, dtype: 'float64' });
  const dy = tensor(bnUpstream(name, rank), shape, { dtype: 'float64' });
  layer.call(x).mul(dy).sum().backward();
  const loss = () => noGrad(() => distributed.allreduce(new Float64Array([layer.call(x).mul(dy).sum().item()]))[0]);
  const central = (data, e) => {
    const h = 1e-6;
    const v = data[e];
    data[e] = v + h;
    const up = loss();
    data[e] = v - h;
    const down = loss();
    data[e] = v;
    return (up - down) / (2 * h);
  };
  let worstX = 0;
  const most = Math.max(...rows) * c * hw;
  for (let owner = 0; owner < rows.length; owner++) {
    for (let e = 0; e < most; e++) {
      if (e >= rows[owner] * c * hw) continue; // the same skip on every rank: lock step
      if (rank === owner) {
        const numeric = central(x.data, e);
        worstX = Math.max(worstX, Math.abs(numeric - x.grad.data[e]) / Math.max(1, Math.abs(numeric)));
      } else {
        loss();
        loss();
      }
    }
  }
  // γ and β are one parameter shared by the ranks: perturbed everywhere at once, their numeric
  // derivative is the sum of the ranks' gradients.
  const summed = (t) => distributed.allreduce(Float64Array.from(t.grad.data));
  let worstParams = 0;
  for (const param of [layer.weight, layer.bias]) {
    const analytic = summed(param);
    for (let j = 0; j < c; j++) {
      const numeric = central(param.data, j);
      worstParams = Math.max(worstParams, Math.abs(numeric - analytic[j]) / Math.max(1, Math.abs(numeric)));
    }
  }
  say({ what: `gradcheck-${name}`, worstX, worstParams });
}

// Evaluation uses the running statistics and exchanges nothing: one rank alone may run it.
const evalLayer = layerFor(3, 'float32');
evalLayer.eval();
if (rank === 1) say({ what: 'eval', y: Array.from(evalLayer.call(tensor([[1, 2, 3], [4, 5, 6]])).data) });
distributed.barrier();
// convert() swaps BatchNorm1d layers for SyncBatchNorm holding the same tensors.
const plain = new nn.Sequential(new nn.Linear(3, 3), new nn.BatchNorm1d(3), new nn.ReLU());
const weight = plain[1].weight;
const converted = nn.SyncBatchNorm.convert(plain);
say({ what: 'convert', same: converted === plain, kind: plain[1].constructor.name, keepsWeight: plain[1].weight === weight });
say({ what: 'done' });

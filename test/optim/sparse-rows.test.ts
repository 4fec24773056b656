// Row-sparse gradients (Tensor.gradRows) through whole training steps: hierarchical softmax and
// Embedding({ sparse: true }) with SGD and SparseAdam give the same parameters as the dense
// computation (the same layers made to take the dense-gradient path by a hook; for SparseAdam
// given the rows where that dense gradient is non-zero, since lazy Adam needs them), zeroGrad
// clears exactly the recorded rows and keeps the buffer, and SparseAdam follows its formula.
import { describe, expect, it } from 'vitest';
import { BufferPool, Tensor, add, manualSeed, mul, nn, optim, randn, sum, tensor } from '../../lib';
import { backendNames, useBackend } from '../autograd/backends';
import { expectClose } from '../backend/expect-close';
import { mergeRows, uniqueSorted } from '../../lib/autograd/sparse-grad';

const F = nn.functional;
const CLASSES = 40;
const FEATURES = 16;

/** A hook that does nothing but makes the op hand the engine a dense gradient. */
const forceDense = (...params: (Tensor | null)[]) => params.forEach((p) => p?.registerHook(() => {}));

function hsmModel(seed: number, dtype: 'float32' | 'float64' = 'float32') {
  manualSeed(seed);
  const encoder = new nn.Linear(6, FEATURES, { dtype });
  const head = new nn.HierarchicalSoftmax(FEATURES, CLASSES, { tree: nn.hsoftmax.balancedTree(CLASSES, { seed: 1 }), dtype });
  return { encoder, head, params: [...encoder.parameters(), ...head.parameters()] };
}

/** The batch of step t: inputs and labels (a few classes, so most inner nodes are untouched). */
function hsmBatch(t: number, dtype: 'float32' | 'float64' = 'float32') {
  manualSeed(100 + t);
  const labels = Int32Array.from({ length: 5 }, (_, i) => (7 * t + 13 * i) % CLASSES);
  return { x: randn([5, 6], { dtype }), labels };
}

/** The rows of a [rows, width] gradient with any non-zero value. */
function nonZeroRows(g: Tensor): number[] {
  const width = g.size / g.shape[0]!;
  const rows: number[] = [];
  for (let r = 0; r < g.shape[0]!; r++) if (g.data.subarray(r * width, (r + 1) * width).some((v) => v !== 0)) rows.push(r);
  return rows;
}

/** Records the rows where each dense gradient is non-zero (what lazy Adam needs from the dense run). */
function giveNonZeroRows(...params: Tensor[]): void {
  for (const p of params) {
    p.setGradRows(Int32Array.from(p.ndim === 1 ? [...p.grad!.data.keys()].filter((i) => p.grad!.data[i] !== 0) : nonZeroRows(p.grad!)));
  }
}

describe.each(backendNames())('row-sparse training steps on %s', (name) => {
  useBackend(name);

  it.each([
    ['SGD', (p: Tensor[]) => new optim.SGD(p, { lr: 0.5 }), false],
    ['SparseAdam', (p: Tensor[]) => new optim.SparseAdam(p, { lr: 0.05 }), true],
  ] as const)('hierarchical softmax with %s: the same bits as the dense-gradient run, untouched rows unchanged', (_, make, lazy) => {
    const sparse = hsmModel(3);
    const dense = hsmModel(3);
    forceDense(dense.head.weight, dense.head.bias);
    const optSparse = make(sparse.params);
    const optDense = make(dense.params);
    const initial = sparse.head.weight.data.slice();
    const touched = new Set<number>();
    for (let t = 0; t < 6; t++) {
      const { x, labels } = hsmBatch(t);
      for (const [model, opt] of [[sparse, optSparse], [dense, optDense]] as const) {
        opt.zeroGrad();
        model.head.forward(model.encoder.forward(x), labels).backward();
      }
      // The record lists the rows the dense gradient has non-zero, and only the sparse run has one.
      expect(Array.from(sparse.head.weight.gradRows!)).toEqual(nonZeroRows(dense.head.weight.grad!));
      expect(Array.from(sparse.head.bias!.gradRows!)).toEqual(nonZeroRows(dense.head.weight.grad!));
      expect(dense.head.weight.gradRows).toBeNull();
      expect(sparse.head.weight.grad!.data).toEqual(dense.head.weight.grad!.data);
      for (const r of sparse.head.weight.gradRows!) touched.add(r);
      if (lazy) giveNonZeroRows(dense.head.weight, dense.head.bias!);
      optSparse.step();
      optDense.step();
      sparse.params.forEach((p, i) => expect(p.data, `step ${t}, parameter ${i}`).toEqual(dense.params[i]!.data));
    }
    expect(touched.size).toBeLessThan(CLASSES - 1);
    for (let r = 0; r < CLASSES - 1; r++) {
      const row = sparse.head.weight.data.subarray(r * FEATURES, (r + 1) * FEATURES);
      if (touched.has(r)) expect(row).not.toEqual(initial.subarray(r * FEATURES, (r + 1) * FEATURES));
      else expect(row).toEqual(initial.subarray(r * FEATURES, (r + 1) * FEATURES));
    }
  });

  it.each([
    ['SGD', (p: Tensor[]) => new optim.SGD(p, { lr: 0.3 }), false],
    ['SparseAdam', (p: Tensor[]) => new optim.SparseAdam(p, { lr: 0.02, betas: [0.8, 0.99] }), true],
  ] as const)('Embedding({ sparse: true }) with %s and paddingIdx: the same bits as the dense Embedding', (_, make, lazy) => {
    const build = (sparse: boolean) => {
      manualSeed(9);
      const emb = new nn.Embedding(12, 8, { paddingIdx: 2, sparse });
      const out = new nn.Linear(8, 3);
      return { emb, out, params: [...emb.parameters(), ...out.parameters()] };
    };
    const a = build(true);
    const b = build(false);
    const optA = make(a.params);
    const optB = make(b.params);
    for (let t = 0; t < 5; t++) {
      const ids = Int32Array.from({ length: 6 }, (_, i) => (t * 5 + i * i) % 12); // repeats, and the padding row
      const target = Int32Array.from({ length: 6 }, (_, i) => (t + i) % 3);
      for (const [m, opt] of [[a, optA], [b, optB]] as const) {
        opt.zeroGrad();
        F.crossEntropy(m.out.forward(m.emb.forward(ids)), target).backward();
      }
      const used = [...new Set(ids)].filter((r) => r !== 2).sort((x, y) => x - y);
      expect(Array.from(a.emb.weight.gradRows!)).toEqual(used);
      expect(b.emb.weight.gradRows).toBeNull();
      expect(a.emb.weight.grad!.data).toEqual(b.emb.weight.grad!.data);
      if (lazy) giveNonZeroRows(b.emb.weight);
      optA.step();
      optB.step();
      a.params.forEach((p, i) => expect(p.data, `step ${t}, parameter ${i}`).toEqual(b.params[i]!.data));
    }
    expect(a.emb.weight.data.subarray(16, 24)).toEqual(new Float32Array(8)); // the padding row stays zero
  });

  it('SparseAdam equals Adam bit for bit when every row is touched every step', () => {
    const build = (sparse: boolean) => {
      manualSeed(4);
      return new nn.Embedding(5, 8, { sparse });
    };
    const a = build(true);
    const b = build(false);
    const optA = new optim.SparseAdam(a.parameters(), { lr: 0.01 });
    const optB = new optim.Adam(b.parameters(), { lr: 0.01 });
    for (let t = 0; t < 8; t++) {
      manualSeed(50 + t);
      const coefficients = randn([7, 8]);
      const ids = Int32Array.of(4, 0, 3, 1, 2, 0, t % 5);
      for (const [m, opt] of [[a, optA], [b, optB]] as const) {
        opt.zeroGrad();
        sum(mul(m.forward(ids), coefficients)).backward();
      }
      optA.step();
      optB.step();
      expect(a.weight.data).toEqual(b.weight.data);
    }
  });
});

describe('the row record', () => {
  it('is dropped when a dense gradient is added to the same grad, whichever comes first', () => {
    for (const denseFirst of [false, true]) {
      const sparse = hsmModel(5);
      const dense = hsmModel(5);
      forceDense(dense.head.weight, dense.head.bias);
      const { x, labels } = hsmBatch(1);
      for (const m of [sparse, dense]) {
        const penalty = () => mul(sum(mul(m.head.weight, m.head.weight)), 0.01);
        const hsm = () => m.head.forward(m.encoder.forward(x), labels);
        (denseFirst ? add(penalty(), hsm()) : add(hsm(), penalty())).backward();
      }
      expect(sparse.head.weight.gradRows, `dense first: ${denseFirst}`).toBeNull();
      // The kernel adds its rows onto the penalty's gradient or the engine adds that onto the
      // rows: the same sum, rounded in another order.
      const expected = dense.head.weight.grad!.data;
      expectClose(sparse.head.weight.grad!.data, expected, Array.from(expected, (x) => 1e-6 * Math.max(1e-2, Math.abs(x))), `dense first: ${denseFirst}`);
      // zeroGrad now clears the whole buffer.
      sparse.head.zeroGrad({ setToNone: false });
      expect(sparse.head.weight.grad!.data.every((v) => v === 0)).toBe(true);
    }
  });

  it('is dropped by a second backward adding a dense gradient, and by assigning another grad', () => {
    const m = hsmModel(6);
    const { x, labels } = hsmBatch(2);
    m.head.forward(m.encoder.forward(x), labels).backward();
    expect(m.head.weight.gradRows).not.toBeNull();
    sum(mul(m.head.weight, 2)).backward();
    expect(m.head.weight.gradRows).toBeNull();
    expect(m.head.weight.grad!.data.every((v) => v !== 0)).toBe(true);
    m.head.zeroGrad();
    m.head.forward(m.encoder.forward(x), labels).backward();
    expect(m.head.weight.gradRows).not.toBeNull();
    m.head.weight.grad = new Tensor(new Float32Array(m.head.weight.size).fill(1), m.head.weight.shape);
    expect(m.head.weight.gradRows).toBeNull();
  });

  it('survives clipGradNorm with a finite norm (zero rows stay zero) and is dropped by a non-finite one', () => {
    const m = hsmModel(7);
    const { x, labels } = hsmBatch(3);
    m.head.forward(m.encoder.forward(x), labels).backward();
    const rows = Array.from(m.head.weight.gradRows!);
    optim.clipGradNorm(m.params, 1e-3);
    expect(Array.from(m.head.weight.gradRows!)).toEqual(rows);
    expect(nonZeroRows(m.head.weight.grad!)).toEqual(rows);
    m.head.weight.grad!.data[rows[0]! * FEATURES] = Infinity;
    expect(optim.clipGradNorm(m.params, 1)).toBe(Infinity);
    expect(m.head.weight.gradRows).toBeNull();
    expect(m.head.bias!.gradRows).toBeNull();
  });

  it('makes zeroGrad clear exactly the recorded rows and keep the buffer for the next step', () => {
    const m = hsmModel(8);
    const opt = new optim.SGD(m.params, { lr: 0.1 });
    const { x, labels } = hsmBatch(4);
    m.head.forward(m.encoder.forward(x), labels).backward();
    const grad = m.head.weight.grad!;
    const rows = Array.from(m.head.weight.gradRows!);
    const outside = [...Array(CLASSES - 1).keys()].find((r) => !rows.includes(r))!;
    // A value planted outside the record shows which rows zeroGrad writes.
    grad.data[outside * FEATURES] = 42;
    opt.zeroGrad();
    expect(m.head.weight.grad).toBeNull(); // setToNone: the optimizers skip it, as PyTorch's None
    expect(m.encoder.weight.grad).toBeNull();
    for (const r of rows) expect(grad.data.subarray(r * FEATURES, (r + 1) * FEATURES).every((v) => v === 0)).toBe(true);
    expect(grad.data[outside * FEATURES]).toBe(42);
    grad.data[outside * FEATURES] = 0;
    m.head.forward(m.encoder.forward(x), labels).backward();
    expect(m.head.weight.grad).toBe(grad); // the kept buffer, not a new one
    expect(Array.from(m.head.weight.gradRows!)).toEqual(rows);
    opt.zeroGrad({ setToNone: false });
    expect(m.head.weight.grad).toBe(grad);
    expect(grad.data.every((v) => v === 0)).toBe(true);
    expect(m.head.weight.gradRows).toEqual(new Int32Array(0));
    expect(m.encoder.weight.gradRows).toBeNull();
  });

  it('a buffer kept by a parameter is never lent out by a BufferPool, and steps allocate nothing after warm-up', () => {
    const m = hsmModel(10);
    const emb = new nn.Embedding(30, 6, { sparse: true });
    const params = [...m.params, ...emb.parameters()];
    const opt = new optim.SparseAdam(params, { lr: 0.01 });
    const pool = new BufferPool();
    let createdAfterWarmUp = 0;
    const grads = new Set<Float32Array | Float64Array>();
    for (let t = 0; t < 6; t++) {
      const { x, labels } = hsmBatch(t);
      // As Trainer does: everything lent is free again, the old gradients too.
      pool.reclaim();
      for (const p of params) if (p.grad) pool.give(p.grad.data);
      opt.zeroGrad();
      pool.run(() => {
        const ids = Int32Array.from({ length: 5 }, (_, i) => (t * 3 + i) % 30);
        const features = add(m.encoder.forward(x), sum(emb.forward(ids)));
        m.head.forward(features, labels).backward();
      });
      opt.step();
      grads.add(m.head.weight.grad!.data);
      grads.add(emb.weight.grad!.data);
      for (const p of m.encoder.parameters()) {
        // No pooled buffer aliases a kept one.
        expect(p.grad!.data).not.toBe(m.head.weight.grad!.data);
      }
      if (t === 1) createdAfterWarmUp = pool.stats.created;
    }
    expect(pool.stats.created).toBe(createdAfterWarmUp);
    expect(grads.size).toBe(2); // each row-sparse parameter kept one buffer
    const kept = m.head.weight.grad!.data;
    pool.give(kept);
    expect(pool.take(kept.length, 'float32')).not.toBe(kept);
  });
});

describe('SparseAdam', () => {
  it('follows the lazy-Adam formula in double (hand-written trajectory, rows absent in some steps)', () => {
    const rows = 5;
    const dim = 3;
    manualSeed(11);
    const emb = new nn.Embedding(rows, dim, { sparse: true, dtype: 'float64' });
    const lr = 0.1;
    const [b1, b2] = [0.9, 0.99];
    const eps = 1e-8;
    const opt = new optim.SparseAdam(emb.parameters(), { lr, betas: [b1, b2], eps });
    const theta = Float64Array.from(emb.weight.data);
    const m = new Float64Array(rows * dim);
    const v = new Float64Array(rows * dim);
    const steps = [[0, 3, 3], [1], [4, 0], [3, 3, 3, 1], [2, 0]];
    steps.forEach((ids, s) => {
      const t = s + 1;
      const c = Float64Array.from({ length: ids.length * dim }, (_, i) => Math.sin(1 + i + 7 * t));
      opt.zeroGrad();
      sum(mul(emb.forward(ids), tensor(Array.from(c), [ids.length, dim], { dtype: 'float64' }))).backward();
      opt.step();
      // The gradient of Σ c·E[ids]: row r gets the sum of c over the positions holding r.
      const g = new Float64Array(rows * dim);
      ids.forEach((r, i) => {
        for (let j = 0; j < dim; j++) g[r * dim + j] += c[i * dim + j]!;
      });
      for (const r of new Set(ids)) {
        for (let j = r * dim; j < (r + 1) * dim; j++) {
          m[j] = b1 * m[j]! + (1 - b1) * g[j]!;
          v[j] = b2 * v[j]! + (1 - b2) * g[j]! * g[j]!;
          const mHat = m[j]! / (1 - b1 ** t);
          const vHat = v[j]! / (1 - b2 ** t);
          theta[j] = theta[j]! - (lr * mHat) / (Math.sqrt(vHat) + eps);
        }
      }
      for (let j = 0; j < theta.length; j++) expect(emb.weight.data[j]).toBeCloseTo(theta[j]!, 13);
      const state = opt.state.get(emb.weight)!;
      expect(state['step']).toBe(t);
      expect(Array.from(state['expAvg'] as Float64Array).map((x, j) => x - m[j]!).every((d) => Math.abs(d) < 1e-14)).toBe(true);
    });
  });

  it('stateDict / loadStateDict round-trips: a restored optimizer continues with the same bits', () => {
    const build = () => {
      manualSeed(12);
      return new nn.Embedding(20, 4, { sparse: true });
    };
    const stepWith = (emb: nn.Embedding, opt: optim.SparseAdam, t: number) => {
      opt.zeroGrad();
      sum(mul(emb.forward([t % 20, (3 * t) % 20, 7]), 0.5 + t)).backward();
      opt.step();
    };
    const a = build();
    const optA = new optim.SparseAdam(a.parameters(), { lr: 0.03 });
    for (let t = 0; t < 3; t++) stepWith(a, optA, t);
    const saved = optA.stateDict();
    const b = build();
    b.weight.data.set(a.weight.data);
    const optB = new optim.SparseAdam(b.parameters(), { lr: 0.5 });
    optB.loadStateDict(saved);
    expect(optB.paramGroups[0]!.lr).toBe(0.03);
    for (let t = 3; t < 6; t++) {
      stepWith(a, optA, t);
      stepWith(b, optB, t);
      expect(b.weight.data).toEqual(a.weight.data);
    }
    expect(() => new optim.SparseAdam(b.parameters()).loadStateDict({ state: { 0: { step: 1 } }, paramGroups: [{ ...saved.paramGroups[0]! }] }))
      .toThrow(/expAvg/);
  });

  it('refuses bad hyper-parameters with a clear error', () => {
    const p = [new nn.Embedding(3, 2).weight];
    expect(() => new optim.SparseAdam(p, { lr: -1 })).toThrow(/lr/);
    expect(() => new optim.SparseAdam(p, { betas: [1, 0.9] })).toThrow(/betas/);
    expect(() => new optim.SparseAdam(p, { eps: Number.NaN })).toThrow(/eps/);
    expect(() => new nn.Embedding(3, 2, { sparse: 'yes' as unknown as boolean })).toThrow(TypeError);
  });

  it('SGD with momentum or weight decay updates every row (dense, as those rules require)', () => {
    for (const options of [{ momentum: 0.9 }, { weightDecay: 0.1 }]) {
      const build = (sparse: boolean) => {
        manualSeed(13);
        return new nn.Embedding(6, 4, { sparse });
      };
      const a = build(true);
      const b = build(false);
      const optA = new optim.SGD(a.parameters(), { lr: 0.1, ...options });
      const optB = new optim.SGD(b.parameters(), { lr: 0.1, ...options });
      for (let t = 0; t < 3; t++) {
        for (const [e, opt] of [[a, optA], [b, optB]] as const) {
          opt.zeroGrad();
          sum(e.forward([t, 1])).backward();
          opt.step();
        }
        expect(a.weight.data).toEqual(b.weight.data);
      }
    }
  });
});

describe('Tensor.setGradRows', () => {
  it('refuses anything but strictly increasing Int32Array rows in range, with a clear error', () => {
    const p = new nn.Embedding(4, 2).weight;
    p.grad = new Tensor(new Float32Array(8), [4, 2]);
    expect(() => p.setGradRows([0, 1] as unknown as Int32Array)).toThrow(TypeError);
    expect(() => p.setGradRows(Int32Array.of(0, 4))).toThrow(/\[0, 4\).*rows\[1\] is 4/);
    expect(() => p.setGradRows(Int32Array.of(-1))).toThrow(RangeError);
    expect(() => p.setGradRows(Int32Array.of(2, 2))).toThrow(/strictly increasing/);
    expect(p.gradRows).toBeNull();
    p.setGradRows(Int32Array.of(1, 3));
    expect(Array.from(p.gradRows!)).toEqual([1, 3]);
  });
});

describe('the row lists', () => {
  it('uniqueSorted gives the sorted distinct rows, by sorting few values or marking many', () => {
    const few = Int32Array.of(90, 3, 41, 3, 0, 90, 7);
    expect(Array.from(uniqueSorted(few, 1000))).toEqual([0, 3, 7, 41, 90]);
    expect(Array.from(uniqueSorted(few, 100))).toEqual([0, 3, 7, 41, 90]);
    expect(Array.from(uniqueSorted(new Int32Array(0), 10))).toEqual([]);
  });

  it('mergeRows gives the sorted union', () => {
    expect(Array.from(mergeRows(Int32Array.of(1, 4, 9), Int32Array.of(0, 4, 5, 12)))).toEqual([0, 1, 4, 5, 9, 12]);
    expect(Array.from(mergeRows(new Int32Array(0), Int32Array.of(2)))).toEqual([2]);
  });
});

/**
 * Recurrent sequences as single ops on the tape: the forward loops over time (one GEMM per step
 * for the recurrent part, then the fused cell kernel), the backward runs backpropagation through
 * time inside one node, summing the shared W_hh's gradient over the steps with one GEMM per
 * step and keeping no per-step graph. Sequences are time-major: [T, N, ·]. The input projection
 * x·W_ihᵀ + b of all steps is the caller's (one GEMM, on the tape as a linear op). Attributes:
 * { hiddenSize } (and rnnSequence's { nonlinearity }), sliceRows { start, length }.
 */
import { NO_ATTRIBUTES, record } from '../record';
import type { FloatArray, Kernels, Tensor } from '../tensor';
import { allocate, commonDType, formatShape, kernelsFor } from '../tensor';

export type Nonlinearity = 'tanh' | 'relu';

interface Dims {
  T: number;
  N: number;
  H: number;
}

/** Checks xproj [T, N, gates·H], wHh [gates·H, H] and each state [N, H]. */
function dims(op: string, xproj: Tensor, wHh: Tensor, gates: number, states: Tensor[]): Dims {
  if (wHh.ndim !== 2 || wHh.shape[0] !== gates * wHh.shape[1]!) {
    throw new RangeError(`${op}: Expected a recurrent weight [${gates}·hidden, hidden] but received ${formatShape(wHh.shape)}`);
  }
  const H = wHh.shape[1]!;
  if (xproj.ndim !== 3 || xproj.shape[2] !== gates * H || xproj.shape[0]! < 1) {
    throw new RangeError(`${op}: Expected input projections [T ≥ 1, N, ${gates * H}] but received ${formatShape(xproj.shape)}`);
  }
  const [T, N] = xproj.shape as [number, number];
  for (const s of states) {
    if (s.ndim !== 2 || s.shape[0] !== N || s.shape[1] !== H) {
      throw new RangeError(`${op}: Expected a state [${N}, ${H}] but received ${formatShape(s.shape)}`);
    }
  }
  return { T, N, H };
}

const block = (a: FloatArray, i: number, size: number) => a.subarray(i * size, (i + 1) * size);

/** Σ_t gradᵀ_t · hPrev_t into dW ([rows, H]), hPrev_0 = h0 and hPrev_t = hs[t − 1]. */
function recurrentWeightGradient(
  k: Kernels, grads: FloatArray, h0: FloatArray, hs: FloatArray, d: Dims, rows: number, dW: FloatArray,
): void {
  const { T, N, H } = d;
  k.gemm(true, false, rows, H, N, 1, grads.subarray(0, N * rows), h0, 0, dW);
  if (T > 1) k.gemm(true, false, rows, H, (T - 1) * N, 1, grads.subarray(N * rows), hs.subarray(0, (T - 1) * N * H), 1, dW);
}

/**
 * Vanilla RNN: h_t = act(xproj_t + h_{t−1}·W_hhᵀ), act tanh or relu, the biases already in
 * xproj. Returns every h_t, [T, N, H] (the last step is the final state).
 */
export function rnnSequence(xproj: Tensor, wHh: Tensor, h0: Tensor, nonlinearity: Nonlinearity = 'tanh'): Tensor {
  if (nonlinearity !== 'tanh' && nonlinearity !== 'relu') {
    throw new RangeError(`rnnSequence: Expected nonlinearity "tanh" or "relu" but received ${String(nonlinearity)}`);
  }
  const d = dims('rnnSequence', xproj, wHh, 1, [h0]);
  const { T, N, H } = d;
  const dtype = commonDType('rnnSequence', [xproj, wHh, h0]);
  const k = kernelsFor(dtype);
  const step = N * H;
  const out = allocate([T, N, H], dtype);
  for (let t = 0; t < T; t++) {
    const h = block(out, t, step);
    h.set(block(xproj.data, t, step));
    k.gemm(false, true, N, H, H, 1, t === 0 ? h0.data : block(out, t - 1, step), wHh.data, 1, h);
    if (nonlinearity === 'tanh') k.tanh(h, h);
    else k.relu(h, h);
  }
  return record('rnnSequence', { hiddenSize: H, nonlinearity }, [xproj, wHh, h0], out, [T, N, H], (grad) => {
    const dPre = allocate([T, N, H], dtype);
    const dh = allocate([N, H], dtype);
    for (let t = T - 1; t >= 0; t--) {
      const p = block(dPre, t, step);
      const h = block(out, t, step);
      k.add(block(grad, t, step), dh, p);
      // relu: h > 0 exactly where the pre-activation is, so h stands in for it.
      if (nonlinearity === 'tanh') k.tanhBackward(h, p, p);
      else k.reluBackward(h, p, p);
      k.gemm(false, false, N, H, H, 1, p, wHh.data, 0, dh);
    }
    let dW = null;
    if (wHh.requiresGrad) {
      dW = allocate(wHh.shape, dtype);
      recurrentWeightGradient(k, dPre, h0.data, out, d, H, dW);
    }
    return [xproj.requiresGrad ? dPre : null, dW, h0.requiresGrad ? dh : null];
  });
}

/**
 * LSTM: pre_t = xproj_t + h_{t−1}·W_hhᵀ ([i | f | g | o], biases already in xproj), then the
 * fused cell. Returns [T + 1, N, H]: h_0 … h_{T−1} (the outputs), then the final cell state.
 */
export function lstmSequence(xproj: Tensor, wHh: Tensor, h0: Tensor, c0: Tensor): Tensor {
  const d = dims('lstmSequence', xproj, wHh, 4, [h0, c0]);
  const { T, N, H } = d;
  const dtype = commonDType('lstmSequence', [xproj, wHh, h0, c0]);
  const k = kernelsFor(dtype);
  const step = N * H;
  const out = allocate([T + 1, N, H], dtype);
  const gates = allocate([T, N, 4 * H], dtype);
  const cs = allocate([T, N, H], dtype);
  for (let t = 0; t < T; t++) {
    const g = block(gates, t, 4 * step);
    g.set(block(xproj.data, t, 4 * step));
    k.gemm(false, true, N, 4 * H, H, 1, t === 0 ? h0.data : block(out, t - 1, step), wHh.data, 1, g);
    k.lstmCellForward(g, t === 0 ? c0.data : block(cs, t - 1, step), N, H, g, block(cs, t, step), block(out, t, step));
  }
  block(out, T, step).set(block(cs, T - 1, step));
  return record('lstmSequence', { hiddenSize: H }, [xproj, wHh, h0, c0], out, [T + 1, N, H], (grad) => {
    const dPre = allocate([T, N, 4 * H], dtype);
    const dh = allocate([N, H], dtype);
    const dhTotal = allocate([N, H], dtype);
    let dc: FloatArray = block(grad, T, step).slice();
    let dcPrev = allocate([N, H], dtype);
    for (let t = T - 1; t >= 0; t--) {
      const p = block(dPre, t, 4 * step);
      k.add(block(grad, t, step), dh, dhTotal);
      k.lstmCellBackward(
        block(gates, t, 4 * step), t === 0 ? c0.data : block(cs, t - 1, step), block(cs, t, step),
        dhTotal, dc, N, H, p, dcPrev,
      );
      [dc, dcPrev] = [dcPrev, dc];
      k.gemm(false, false, N, H, 4 * H, 1, p, wHh.data, 0, dh);
    }
    let dW = null;
    if (wHh.requiresGrad) {
      dW = allocate(wHh.shape, dtype);
      recurrentWeightGradient(k, dPre, h0.data, out, d, 4 * H, dW);
    }
    return [xproj.requiresGrad ? dPre : null, dW, h0.requiresGrad ? dh : null, c0.requiresGrad ? dc : null];
  });
}

/**
 * GRU (PyTorch's formulation): gi = the input projections x·W_ihᵀ + b_ih [T, N, 3H], and per
 * step gh = h_{t−1}·W_hhᵀ + b_hh inside (r multiplies gh's n part, bias included, so b_hh cannot
 * be folded into gi). Returns every h_t, [T, N, H].
 */
export function gruSequence(gi: Tensor, wHh: Tensor, bHh: Tensor | null, h0: Tensor): Tensor {
  const d = dims('gruSequence', gi, wHh, 3, [h0]);
  const { T, N, H } = d;
  if (bHh && (bHh.ndim !== 1 || bHh.size !== 3 * H)) {
    throw new RangeError(`gruSequence: Expected a recurrent bias [${3 * H}] but received ${formatShape(bHh.shape)}`);
  }
  const inputs = bHh ? [gi, wHh, h0, bHh] : [gi, wHh, h0];
  const dtype = commonDType('gruSequence', inputs);
  const k = kernelsFor(dtype);
  const step = N * H;
  const out = allocate([T, N, H], dtype);
  const work = allocate([T, N, 4 * H], dtype);
  const gh = allocate([N, 3 * H], dtype);
  for (let t = 0; t < T; t++) {
    const hPrev = t === 0 ? h0.data : block(out, t - 1, step);
    if (bHh) for (let r = 0; r < N; r++) gh.set(bHh.data, r * 3 * H);
    k.gemm(false, true, N, 3 * H, H, 1, hPrev, wHh.data, bHh ? 1 : 0, gh);
    k.gruCellForward(block(gi.data, t, 3 * step), gh, hPrev, N, H, block(work, t, 4 * step), block(out, t, step));
  }
  return record('gruSequence', { hiddenSize: H }, inputs, out, [T, N, H], (grad) => {
    const dGi = allocate([T, N, 3 * H], dtype);
    const dGh = allocate([T, N, 3 * H], dtype);
    let dh = allocate([N, H], dtype);
    let dhPrev = allocate([N, H], dtype);
    const dhTotal = allocate([N, H], dtype);
    for (let t = T - 1; t >= 0; t--) {
      const hPrev = t === 0 ? h0.data : block(out, t - 1, step);
      const g = block(dGh, t, 3 * step);
      k.add(block(grad, t, step), dh, dhTotal);
      k.gruCellBackward(block(work, t, 4 * step), hPrev, dhTotal, N, H, block(dGi, t, 3 * step), g, dhPrev);
      k.gemm(false, false, N, H, 3 * H, 1, g, wHh.data, 1, dhPrev);
      [dh, dhPrev] = [dhPrev, dh];
    }
    let dW = null;
    if (wHh.requiresGrad) {
      dW = allocate(wHh.shape, dtype);
      recurrentWeightGradient(k, dGh, h0.data, out, d, 3 * H, dW);
    }
    let dB = null;
    if (bHh?.requiresGrad) {
      dB = allocate(bHh.shape, dtype);
      k.colSum(dGh, T * N, 3 * H, dB);
    }
    const grads: (FloatArray | null)[] = [gi.requiresGrad ? dGi : null, dW, h0.requiresGrad ? dh : null];
    if (bHh) grads.push(dB);
    return grads;
  });
}

/** x [A, B, ...] → [B, A, ...] (a copy): batch-first ↔ time-major. The gradient swaps back. */
export function swapLeadingDims(x: Tensor): Tensor {
  if (x.ndim < 2) throw new RangeError(`swapLeadingDims: Expected at least 2 dimensions but received ${formatShape(x.shape)}`);
  const [A, B] = x.shape as [number, number];
  const inner = x.size / Math.max(A * B, 1);
  const shape = [B, A, ...x.shape.slice(2)];
  const swap = (src: FloatArray, a: number, b: number, dst: FloatArray) => {
    for (let i = 0; i < a; i++) {
      for (let j = 0; j < b; j++) dst.set(src.subarray((i * b + j) * inner, (i * b + j + 1) * inner), (j * a + i) * inner);
    }
  };
  const out = allocate(shape, x.dtype);
  swap(x.data, A, B, out);
  return record('swapLeadingDims', NO_ATTRIBUTES, [x], out, shape, (grad) => {
    const dx = allocate(x.shape, x.dtype);
    swap(grad, B, A, dx);
    return [dx];
  });
}

/**
 * x[start : start + length] along dimension 0, sharing x's values (a view, as reshape is). The
 * gradient lands in those rows of a zero gradient for x.
 */
export function sliceRows(x: Tensor, start: number, length: number): Tensor {
  if (x.ndim < 1) throw new RangeError('sliceRows: Expected a tensor of at least 1 dimension');
  const rows = x.shape[0]!;
  if (!Number.isInteger(start) || !Number.isInteger(length) || start < 0 || length < 0 || start + length > rows) {
    throw new RangeError(`sliceRows: Expected rows [${start}, ${start + length}) within [0, ${rows}) of ${formatShape(x.shape)}`);
  }
  const inner = x.size / Math.max(rows, 1);
  const shape = [length, ...x.shape.slice(1)];
  return record('sliceRows', { start, length }, [x], x.data.subarray(start * inner, (start + length) * inner), shape, (grad) => {
    const dx = allocate(x.shape, x.dtype);
    dx.set(grad, start * inner);
    return [dx];
  });
}

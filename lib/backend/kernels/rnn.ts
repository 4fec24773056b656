/**
 * The pointwise gate math of the recurrent cells, fused: one pass per step over what the GEMMs
 * produced (the input projection of all steps at once, the recurrent one per step, both on the
 * gemm kernel). The vanilla tanh/relu cell has no kernel of its own: its pointwise part is one
 * tanh or relu, which the elementwise kernels already are.
 *
 * Layouts follow PyTorch: an LSTM row of pre-activations is [i | f | g | o] (each `hidden`
 * wide), a GRU row of projections is [r | z | n]. σ is the logistic function. Outputs never share
 * memory with inputs, except where a kernel says so.
 */
import type { Tolerance } from '../compare';
import { index, input, kernel, output } from '../declare';
import * as reference from '../reference/rnn';

/**
 * The reference evaluates each kernel in double and rounds each output once; the native one runs
 * in float32 (a few roundings and the vector tanh/σ, 2e-7 relative each). Both stay within
 * RNN_RELATIVE_ERROR of the magnitude an output is made of (the sum of the absolute values of its
 * terms), per element.
 */
export const RNN_RELATIVE_ERROR = 4e-6;
const TINY = 2 ** -126;

type F = Float32Array;
const abs = Math.abs;

/** Per element j of each row: the magnitude of c and h (forward), for each output. */
function lstmForwardScale(before: unknown[], output: string): Tolerance {
  const [, cPrev, n, hidden] = before as [F, F, number, number];
  const out = new Float64Array(output === 'gates' ? n * 4 * hidden : n * hidden);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < hidden; j++) {
      const cScale = abs(cPrev[r * hidden + j]!) + 1;
      if (output === 'gates') {
        for (let g = 0; g < 4; g++) out[r * 4 * hidden + g * hidden + j] = RNN_RELATIVE_ERROR + TINY;
      } else {
        out[r * hidden + j] = RNN_RELATIVE_ERROR * cScale + TINY;
      }
    }
  }
  return out;
}

function lstmBackwardScale(before: unknown[], output: string): Tolerance {
  const [, cPrev, , dh, dc, n, hidden] = before as [F, F, F, F, F, number, number];
  const out = new Float64Array(output === 'dPre' ? n * 4 * hidden : n * hidden);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < hidden; j++) {
      const k = r * hidden + j;
      const m = (abs(dh[k]!) + abs(dc[k]!)) * (1 + abs(cPrev[k]!)) * RNN_RELATIVE_ERROR + TINY;
      if (output === 'dPre') for (let g = 0; g < 4; g++) out[r * 4 * hidden + g * hidden + j] = m;
      else out[k] = m;
    }
  }
  return out;
}

function gruForwardScale(before: unknown[], output: string): Tolerance {
  const [, gh, hPrev, n, hidden] = before as [F, F, F, number, number];
  const out = new Float64Array(output === 'work' ? n * 4 * hidden : n * hidden);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < hidden; j++) {
      const ghn = abs(gh[r * 3 * hidden + 2 * hidden + j]!);
      const m = (1 + ghn + abs(hPrev[r * hidden + j]!)) * RNN_RELATIVE_ERROR + TINY;
      if (output === 'work') for (let g = 0; g < 4; g++) out[r * 4 * hidden + g * hidden + j] = m;
      else out[r * hidden + j] = m;
    }
  }
  return out;
}

function gruBackwardScale(before: unknown[], output: string): Tolerance {
  const [work, hPrev, dh, n, hidden] = before as [F, F, F, number, number];
  const width = output === 'dhPrev' ? 1 : 3;
  const out = new Float64Array(n * width * hidden);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < hidden; j++) {
      const k = r * hidden + j;
      const ghn = abs(work[r * 4 * hidden + 3 * hidden + j]!);
      const m = abs(dh[k]!) * (1 + ghn + abs(hPrev[k]!)) * RNN_RELATIVE_ERROR + TINY;
      for (let g = 0; g < width; g++) out[r * width * hidden + g * hidden + j] = m;
    }
  }
  return out;
}

const rows = (name: string, width: number) => input(name, width === 1 ? 'n*hidden' : `n*${width}*hidden`);
const out = (name: string, width: number, inPlace?: string) =>
  output(name, width === 1 ? 'n*hidden' : `n*${width}*hidden`, inPlace ? { inPlace: [inPlace] } : {});

export const RNN = {
  /**
   * LSTM step for n rows: gates = [σ(i), σ(f), tanh(g), σ(o)] of pre [n, 4·hidden] (gates may be
   * pre itself), c = f·cPrev + i·g, h = o·tanh(c). gates and c are what the backward needs.
   */
  lstmCellForward: kernel({
    args: [rows('pre', 4), rows('cPrev', 1), index('n'), index('hidden'), out('gates', 4, 'pre'), out('c', 1), out('h', 1)],
    reference: reference.lstmCellForward,
    tolerance: lstmForwardScale,
  }),
  /**
   * Its backward from dh and dc (∂L/∂h and ∂L/∂c of this step, both [n, hidden]): with
   * t = tanh(c) and dĉ = dc + dh·o·(1 − t²), dPre = [dĉ·g·i(1−i), dĉ·cPrev·f(1−f),
   * dĉ·i·(1−g²), dh·t·o(1−o)] and dcPrev = dĉ·f.
   */
  lstmCellBackward: kernel({
    args: [
      rows('gates', 4), rows('cPrev', 1), rows('c', 1), rows('dh', 1), rows('dc', 1), index('n'), index('hidden'),
      out('dPre', 4), out('dcPrev', 1),
    ],
    reference: reference.lstmCellBackward,
    tolerance: lstmBackwardScale,
  }),
  /**
   * GRU step (PyTorch's formulation) for n rows from gi = x·W_ihᵀ + b_ih and gh = hPrev·W_hhᵀ + b_hh
   * (each [n, 3·hidden], [r | z | n]): r = σ(gi_r + gh_r), z = σ(gi_z + gh_z),
   * m = tanh(gi_n + r·gh_n), h = m + z·(hPrev − m). work [n, 4·hidden] keeps [r | z | m | gh_n]
   * for the backward.
   */
  gruCellForward: kernel({
    args: [rows('gi', 3), rows('gh', 3), rows('hPrev', 1), index('n'), index('hidden'), out('work', 4), out('h', 1)],
    reference: reference.gruCellForward,
    tolerance: gruForwardScale,
  }),
  /**
   * Its backward from dh: dm = dh·(1 − z)·(1 − m²), dr = dm·gh_n·r(1 − r),
   * dz = dh·(hPrev − m)·z(1 − z); dgi = [dr | dz | dm], dgh = [dr | dz | dm·r] and
   * dhPrev = dh·z, the direct path only (the rest flows through dgh and W_hh).
   */
  gruCellBackward: kernel({
    args: [rows('work', 4), rows('hPrev', 1), rows('dh', 1), index('n'), index('hidden'), out('dgi', 3), out('dgh', 3), out('dhPrev', 1)],
    reference: reference.gruCellBackward,
    tolerance: gruBackwardScale,
  }),
};

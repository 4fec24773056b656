/**
 * Reference recurrent cells: each output computed in double from the inputs and rounded once (a
 * gate read back from a float32 `gates` array by the backward is the value the forward stored).
 */
import type { RnnKernels } from '../contract/rnn';
import { checkCount, checkDisjoint, checkLength, checkSameOrDisjoint, f32, index, product } from '../validate';

type F = Float32Array;

function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** n·hidden·width with a RangeError past 2^53 − 1. */
function rows(fn: string, n: number, hidden: number, width: number): number {
  const w = product(fn, hidden, width, `${width}*hidden`);
  return product(fn, n, w, width === 1 ? 'n*hidden' : `n*${width}*hidden`);
}

function sizes(fn: string, args: IArguments, at: number): [number, number] {
  return [index(fn, 'n', args[at]), index(fn, 'hidden', args[at + 1])];
}

/** Each array: [name, value, width]; checks types, then lengths n·width·hidden. */
function arrays(fn: string, args: IArguments, specs: [string, number, number][], n: number, hidden: number): F[] {
  const out = specs.map(([name, at]) => f32(fn, name, args[at]));
  specs.forEach(([name, , width], i) => {
    const expr = width === 1 ? 'n*hidden' : `n*${width}*hidden`;
    checkLength(fn, name, out[i]!, rows(fn, n, hidden, width), expr);
  });
  return out;
}

function disjoint(fn: string, outputs: [string, F][], inputs: [string, F][]): void {
  for (const [o, out] of outputs) {
    for (const [i, input] of inputs) checkDisjoint(fn, o, out, i, input);
  }
  for (let a = 0; a < outputs.length; a++) {
    for (let b = a + 1; b < outputs.length; b++) checkDisjoint(fn, outputs[b]![0], outputs[b]![1], outputs[a]![0], outputs[a]![1]);
  }
}

export const referenceRnn: RnnKernels = {
  lstmCellForward() {
    const fn = 'lstmCellForward';
    checkCount(fn, arguments.length, 7);
    f32(fn, 'pre', arguments[0]);
    f32(fn, 'cPrev', arguments[1]);
    const [n, hidden] = sizes(fn, arguments, 2);
    const [pre, cPrev, gates, c, h] = arrays(fn, arguments, [['pre', 0, 4], ['cPrev', 1, 1], ['gates', 4, 4], ['c', 5, 1], ['h', 6, 1]], n, hidden) as [F, F, F, F, F];
    checkSameOrDisjoint(fn, 'gates', gates, 'pre', pre);
    disjoint(fn, [['c', c], ['h', h]], [['pre', pre], ['cPrev', cPrev], ['gates', gates]]);
    checkDisjoint(fn, 'gates', gates, 'cPrev', cPrev);
    for (let r = 0; r < n; r++) {
      const p = r * 4 * hidden;
      for (let j = 0; j < hidden; j++) {
        const i = sigmoid(pre[p + j]!);
        const f = sigmoid(pre[p + hidden + j]!);
        const g = Math.tanh(pre[p + 2 * hidden + j]!);
        const o = sigmoid(pre[p + 3 * hidden + j]!);
        const cv = f * cPrev[r * hidden + j]! + i * g;
        gates[p + j] = i;
        gates[p + hidden + j] = f;
        gates[p + 2 * hidden + j] = g;
        gates[p + 3 * hidden + j] = o;
        c[r * hidden + j] = cv;
        h[r * hidden + j] = o * Math.tanh(cv);
      }
    }
  },
  lstmCellBackward() {
    const fn = 'lstmCellBackward';
    checkCount(fn, arguments.length, 9);
    for (const [name, at] of [['gates', 0], ['cPrev', 1], ['c', 2], ['dh', 3], ['dc', 4]] as const) f32(fn, name, arguments[at]);
    const [n, hidden] = sizes(fn, arguments, 5);
    const [gates, cPrev, c, dh, dc, dPre, dcPrev] = arrays(fn, arguments, [
      ['gates', 0, 4], ['cPrev', 1, 1], ['c', 2, 1], ['dh', 3, 1], ['dc', 4, 1], ['dPre', 7, 4], ['dcPrev', 8, 1],
    ], n, hidden) as [F, F, F, F, F, F, F];
    disjoint(fn, [['dPre', dPre], ['dcPrev', dcPrev]], [['gates', gates], ['cPrev', cPrev], ['c', c], ['dh', dh], ['dc', dc]]);
    for (let r = 0; r < n; r++) {
      const p = r * 4 * hidden;
      for (let j = 0; j < hidden; j++) {
        const k = r * hidden + j;
        const i = gates[p + j]!;
        const f = gates[p + hidden + j]!;
        const g = gates[p + 2 * hidden + j]!;
        const o = gates[p + 3 * hidden + j]!;
        const t = Math.tanh(c[k]!);
        const dct = dc[k]! + dh[k]! * o * (1 - t * t);
        dPre[p + j] = dct * g * i * (1 - i);
        dPre[p + hidden + j] = dct * cPrev[k]! * f * (1 - f);
        dPre[p + 2 * hidden + j] = dct * i * (1 - g * g);
        dPre[p + 3 * hidden + j] = dh[k]! * t * o * (1 - o);
        dcPrev[k] = dct * f;
      }
    }
  },
  gruCellForward() {
    const fn = 'gruCellForward';
    checkCount(fn, arguments.length, 7);
    for (const [name, at] of [['gi', 0], ['gh', 1], ['hPrev', 2]] as const) f32(fn, name, arguments[at]);
    const [n, hidden] = sizes(fn, arguments, 3);
    const [gi, gh, hPrev, work, h] = arrays(fn, arguments, [['gi', 0, 3], ['gh', 1, 3], ['hPrev', 2, 1], ['work', 5, 4], ['h', 6, 1]], n, hidden) as [F, F, F, F, F];
    disjoint(fn, [['work', work], ['h', h]], [['gi', gi], ['gh', gh], ['hPrev', hPrev]]);
    for (let row = 0; row < n; row++) {
      const p = row * 3 * hidden;
      const w = row * 4 * hidden;
      for (let j = 0; j < hidden; j++) {
        const ghn = gh[p + 2 * hidden + j]!;
        const r = sigmoid(gi[p + j]! + gh[p + j]!);
        const z = sigmoid(gi[p + hidden + j]! + gh[p + hidden + j]!);
        const m = Math.tanh(gi[p + 2 * hidden + j]! + r * ghn);
        const hp = hPrev[row * hidden + j]!;
        work[w + j] = r;
        work[w + hidden + j] = z;
        work[w + 2 * hidden + j] = m;
        work[w + 3 * hidden + j] = ghn;
        h[row * hidden + j] = m + z * (hp - m);
      }
    }
  },
  gruCellBackward() {
    const fn = 'gruCellBackward';
    checkCount(fn, arguments.length, 8);
    for (const [name, at] of [['work', 0], ['hPrev', 1], ['dh', 2]] as const) f32(fn, name, arguments[at]);
    const [n, hidden] = sizes(fn, arguments, 3);
    const [work, hPrev, dh, dgi, dgh, dhPrev] = arrays(fn, arguments, [
      ['work', 0, 4], ['hPrev', 1, 1], ['dh', 2, 1], ['dgi', 5, 3], ['dgh', 6, 3], ['dhPrev', 7, 1],
    ], n, hidden) as [F, F, F, F, F, F];
    disjoint(fn, [['dgi', dgi], ['dgh', dgh], ['dhPrev', dhPrev]], [['work', work], ['hPrev', hPrev], ['dh', dh]]);
    for (let row = 0; row < n; row++) {
      const p = row * 3 * hidden;
      const w = row * 4 * hidden;
      for (let j = 0; j < hidden; j++) {
        const k = row * hidden + j;
        const r = work[w + j]!;
        const z = work[w + hidden + j]!;
        const m = work[w + 2 * hidden + j]!;
        const ghn = work[w + 3 * hidden + j]!;
        const d = dh[k]!;
        const dm = d * (1 - z) * (1 - m * m);
        const dr = dm * ghn * r * (1 - r);
        const dz = d * (hPrev[k]! - m) * z * (1 - z);
        dgi[p + j] = dr;
        dgi[p + hidden + j] = dz;
        dgi[p + 2 * hidden + j] = dm;
        dgh[p + j] = dr;
        dgh[p + hidden + j] = dz;
        dgh[p + 2 * hidden + j] = dm * r;
        dhPrev[k] = d * z;
      }
    }
  },
};

/**
 * Reference recurrent cells: each output computed in double from the inputs and rounded once (a
 * gate read back from a float32 `gates` array by the backward is the value the forward stored).
 */
import type { Floats, ReferenceContext } from '../declare';

function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

export function lstmCellForward(
  this: ReferenceContext, pre: Floats, cPrev: Floats, n: number, hidden: number, gates: Floats, c: Floats, h: Floats,
): void {
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
}

export function lstmCellBackward(
  this: ReferenceContext, gates: Floats, cPrev: Floats, c: Floats, dh: Floats, dc: Floats, n: number, hidden: number, dPre: Floats, dcPrev: Floats,
): void {
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
}

export function gruCellForward(
  this: ReferenceContext, gi: Floats, gh: Floats, hPrev: Floats, n: number, hidden: number, work: Floats, h: Floats,
): void {
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
}

export function gruCellBackward(
  this: ReferenceContext, work: Floats, hPrev: Floats, dh: Floats, n: number, hidden: number, dgi: Floats, dgh: Floats, dhPrev: Floats,
): void {
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
}

// The update rules written out in float64 from their textbook formulas (the algorithm boxes of
// the torch.optim docs, the papers), one vector at a time, independent of lib/optim and of the
// kernels: the oracles that the optimizers' trajectories are compared with. Each call to the
// returned function is one step: it updates p in place from the gradient g. The learning rate is
// read from the options object at every step, so a test can change it between steps.

export type Textbook = (p: Float64Array, g: Float64Array) => void;

interface Common {
  lr: number;
  weightDecay?: number;
}

const zeros = (n: number) => new Float64Array(n);

/** SGD: d = g + λp; b = d (t = 1) or μb + (1 − τ)d; d = nesterov ? d + μb : b; p −= lr·d. */
export function sgd(o: Common & { momentum?: number; dampening?: number; nesterov?: boolean }): Textbook {
  const { weightDecay = 0, momentum = 0, dampening = 0, nesterov = false } = o;
  let b: Float64Array | null = null;
  return (p, g) => {
    const first = b === null;
    b ??= zeros(p.length);
    for (let i = 0; i < p.length; i++) {
      let d = g[i]! + weightDecay * p[i]!;
      if (momentum !== 0) {
        b[i] = first ? d : momentum * b[i]! + (1 - dampening) * d;
        d = nesterov ? d + momentum * b[i]! : b[i]!;
      }
      p[i] = p[i]! - o.lr * d;
    }
  };
}

/** Adagrad: d = g + λp; s += d²; p −= lr/(1 + (t − 1)η)·d/(√s + ε). */
export function adagrad(o: Common & { lrDecay?: number; initial?: number; eps?: number }): Textbook {
  const { weightDecay = 0, lrDecay = 0, initial = 0, eps = 1e-10 } = o;
  let s: Float64Array | null = null;
  let t = 0;
  return (p, g) => {
    s ??= zeros(p.length).fill(initial);
    t++;
    const rate = o.lr / (1 + (t - 1) * lrDecay);
    for (let i = 0; i < p.length; i++) {
      const d = g[i]! + weightDecay * p[i]!;
      s[i] = s[i]! + d * d;
      p[i] = p[i]! - rate * d / (Math.sqrt(s[i]!) + eps);
    }
  };
}

/** RMSprop: v = αv + (1 − α)d²; centered: ā = αā + (1 − α)d, ṽ = v − ā²; b = μb + d/(√ṽ + ε); p −= lr·b. */
export function rmsprop(o: Common & { alpha?: number; eps?: number; momentum?: number; centered?: boolean }): Textbook {
  const { weightDecay = 0, alpha = 0.99, eps = 1e-8, momentum = 0, centered = false } = o;
  let v: Float64Array | null = null;
  let a: Float64Array | null = null;
  let b: Float64Array | null = null;
  return (p, g) => {
    v ??= zeros(p.length);
    a ??= zeros(p.length);
    b ??= zeros(p.length);
    for (let i = 0; i < p.length; i++) {
      const d = g[i]! + weightDecay * p[i]!;
      v[i] = alpha * v[i]! + (1 - alpha) * d * d;
      let tilde = v[i]!;
      if (centered) {
        a[i] = alpha * a[i]! + (1 - alpha) * d;
        tilde -= a[i]! * a[i]!;
      }
      const scaled = d / (Math.sqrt(tilde) + eps);
      if (momentum > 0) {
        b[i] = momentum * b[i]! + scaled;
        p[i] = p[i]! - o.lr * b[i]!;
      } else {
        p[i] = p[i]! - o.lr * scaled;
      }
    }
  };
}

/** Adadelta (Zeiler, Algorithm 1): E[g²] = ρE[g²] + (1 − ρ)g²; Δ = RMS[Δ]ₜ₋₁/RMS[g]ₜ·g; E[Δ²] = ρE[Δ²] + (1 − ρ)Δ²; p −= lr·Δ. */
export function adadelta(o: Common & { rho?: number; eps?: number }): Textbook {
  const { weightDecay = 0, rho = 0.9, eps = 1e-6 } = o;
  let eg: Float64Array | null = null;
  let ed: Float64Array | null = null;
  return (p, g) => {
    eg ??= zeros(p.length);
    ed ??= zeros(p.length);
    for (let i = 0; i < p.length; i++) {
      const d = g[i]! + weightDecay * p[i]!;
      eg[i] = rho * eg[i]! + (1 - rho) * d * d;
      const rmsDelta = Math.sqrt(ed[i]! + eps);
      const rmsGrad = Math.sqrt(eg[i]! + eps);
      const delta = (rmsDelta / rmsGrad) * d;
      ed[i] = rho * ed[i]! + (1 - rho) * delta * delta;
      p[i] = p[i]! - o.lr * delta;
    }
  };
}

/**
 * Adam (Kingma & Ba, Algorithm 1, with torch's L2 or decoupled decay and AMSGrad):
 * m = β₁m + (1 − β₁)d; v = β₂v + (1 − β₂)d²; m̂ = m/(1 − β₁ᵗ); v̂ = v/(1 − β₂ᵗ); p −= lr·m̂/(√v̂ + ε).
 */
export function adam(o: Common & {
  betas?: [number, number]; eps?: number; amsgrad?: boolean; decoupled?: boolean; biasCorrection?: boolean;
}): Textbook {
  const { weightDecay = 0, betas: [b1, b2] = [0.9, 0.999], eps = 1e-8, amsgrad = false, decoupled = false, biasCorrection = true } = o;
  let m: Float64Array | null = null;
  let v: Float64Array | null = null;
  let vMax: Float64Array | null = null;
  let t = 0;
  return (p, g) => {
    m ??= zeros(p.length);
    v ??= zeros(p.length);
    vMax ??= zeros(p.length);
    t++;
    for (let i = 0; i < p.length; i++) {
      let d = g[i]!;
      if (decoupled) p[i] = p[i]! * (1 - o.lr * weightDecay);
      else d += weightDecay * p[i]!;
      m[i] = b1 * m[i]! + (1 - b1) * d;
      v[i] = b2 * v[i]! + (1 - b2) * d * d;
      vMax[i] = Math.max(vMax[i]!, v[i]!);
      const mHat = biasCorrection ? m[i]! / (1 - b1 ** t) : m[i]!;
      const vHat = (amsgrad ? vMax[i]! : v[i]!) / (biasCorrection ? 1 - b2 ** t : 1);
      p[i] = p[i]! - o.lr * mHat / (Math.sqrt(vHat) + eps);
    }
  };
}

/** Adamax (Kingma & Ba, Algorithm 2, ε as torch): u = max(β₂u, |d| + ε); p −= lr/(1 − β₁ᵗ)·m/u. */
export function adamax(o: Common & { betas?: [number, number]; eps?: number }): Textbook {
  const { weightDecay = 0, betas: [b1, b2] = [0.9, 0.999], eps = 1e-8 } = o;
  let m: Float64Array | null = null;
  let u: Float64Array | null = null;
  let t = 0;
  return (p, g) => {
    m ??= zeros(p.length);
    u ??= zeros(p.length);
    t++;
    for (let i = 0; i < p.length; i++) {
      const d = g[i]! + weightDecay * p[i]!;
      m[i] = b1 * m[i]! + (1 - b1) * d;
      u[i] = Math.max(b2 * u[i]!, Math.abs(d) + eps);
      p[i] = p[i]! - (o.lr / (1 - b1 ** t)) * m[i]! / u[i]!;
    }
  };
}

/**
 * NAdam as the torch.optim docs write it: μₜ = β₁(1 − ½·0.96^(tψ));
 * m̂ = μₜ₊₁m/(1 − Π₁^(t+1) μᵢ) + (1 − μₜ)d/(1 − Π₁^t μᵢ); v̂ = v/(1 − β₂ᵗ); p −= lr·m̂/(√v̂ + ε).
 */
export function nadam(o: Common & { betas?: [number, number]; eps?: number; momentumDecay?: number }): Textbook {
  const { weightDecay = 0, betas: [b1, b2] = [0.9, 0.999], eps = 1e-8, momentumDecay = 4e-3 } = o;
  const mu = (t: number) => b1 * (1 - 0.5 * 0.96 ** (t * momentumDecay));
  let m: Float64Array | null = null;
  let v: Float64Array | null = null;
  let t = 0;
  let product = 1; // Π₁^t μᵢ
  return (p, g) => {
    m ??= zeros(p.length);
    v ??= zeros(p.length);
    t++;
    product *= mu(t);
    const productNext = product * mu(t + 1);
    for (let i = 0; i < p.length; i++) {
      const d = g[i]! + weightDecay * p[i]!;
      m[i] = b1 * m[i]! + (1 - b1) * d;
      v[i] = b2 * v[i]! + (1 - b2) * d * d;
      const mHat = mu(t + 1) * m[i]! / (1 - productNext) + (1 - mu(t)) * d / (1 - product);
      const vHat = v[i]! / (1 - b2 ** t);
      p[i] = p[i]! - o.lr * mHat / (Math.sqrt(vHat) + eps);
    }
  };
}

// Seeded learning tests: the notes' "hello" model, a running sum, and a long-gap memory task that
// an LSTM learns while a vanilla RNN of the same size stays at chance.
import { describe, expect, it } from 'vitest';
import { manualSeed, nn, optim, rand, Tensor, tensor } from '../../lib';

const F = nn.functional;

/** Logits [N, T, C] → [N·T, C] rows for the cross-entropy. */
function rows(logits: Tensor): Tensor {
  const [n, t, c] = logits.shape as [number, number, number];
  return logits.reshape(n * t, c);
}

describe('recurrent networks learn', () => {
  it('the notes\' "hello" model: a tanh RNN over one-hot h, e, l, o emits "ello" from "hell"', () => {
    manualSeed(1);
    const vocab = ['h', 'e', 'l', 'o'];
    const oneHot = (s: string) => s.split('').flatMap((ch) => vocab.map((v) => (v === ch ? 1 : 0)));
    const x = tensor(oneHot('hell'), [1, 4, 4]);
    const targets = Int32Array.from('ello'.split('').map((ch) => vocab.indexOf(ch)));
    const rnn = new nn.RNN({ inputSize: 4, hiddenSize: 8 });
    const readout = new nn.Linear(8, 4);
    const opt = new optim.Adam([...rnn.parameters(), ...readout.parameters()], { lr: 0.05 });
    const forward = () => F.crossEntropy(rows(readout.forward(rnn.forward(x).output)), targets);
    const first = forward().item();
    let loss = first;
    for (let step = 0; step < 150; step++) {
      opt.zeroGrad();
      const l = forward();
      l.backward();
      opt.step();
      loss = l.item();
    }
    expect(first).toBeGreaterThan(1); // ln 4 ≈ 1.39 at the start
    expect(loss).toBeLessThan(0.02);
    const predicted = rows(readout.forward(rnn.forward(x).output)).argmax(1);
    // Both "l" inputs: the second must say "o", which only the hidden state can tell.
    expect(Array.from(predicted, (i) => vocab[i]).join('')).toBe('ello');
  });

  it('a small RNN learns a running sum (y_t = x_1 + … + x_t)', () => {
    manualSeed(2);
    const [N, T] = [32, 10];
    const rnn = new nn.RNN({ inputSize: 1, hiddenSize: 16 });
    const readout = new nn.Linear(16, 1);
    const opt = new optim.Adam([...rnn.parameters(), ...readout.parameters()], { lr: 0.01 });
    const batch = () => {
      const x = rand([N, T, 1], { low: -0.5, high: 0.5 });
      const y = new Float32Array(N * T);
      for (let n = 0; n < N; n++) {
        let s = 0;
        for (let t = 0; t < T; t++) y[n * T + t] = s += x.data[n * T + t]!;
      }
      return { x, y: new Tensor(y, [N, T, 1]) };
    };
    const mse = (b: { x: Tensor; y: Tensor }) => F.mseLoss(readout.forward(rnn.forward(b.x).output), b.y);
    for (let step = 0; step < 400; step++) {
      opt.zeroGrad();
      mse(batch()).backward();
      opt.step();
    }
    const test = batch();
    // Predicting 0 scores the targets' mean square (≈ (t/12) averaged over t ≈ 0.46).
    let meanSquare = 0;
    for (const v of test.y.data) meanSquare += v * v / test.y.size;
    const err = mse(test).item();
    expect(meanSquare).toBeGreaterThan(0.2);
    // Over seeds 11–14 the error was 0.3–1.6 % of that after these 400 steps.
    expect(err).toBeLessThan(0.03 * meanSquare);
  });

  it('an LSTM remembers the first symbol across 50 steps of noise; a vanilla RNN of the same size stays at chance', () => {
    const [N, gap, H] = [32, 50, 16];
    const T = gap + 1;
    /**
     * Channel 0/1: the symbol to remember (step 0 only); channels 2/3: a random distractor at
     * every step after it. Drawn from the library's Philox generator.
     */
    const batch = () => {
      const u = rand([N * T]).data;
      const x = new Float32Array(N * T * 4);
      const labels = new Int32Array(N);
      for (let n = 0; n < N; n++) {
        labels[n] = u[n * T]! < 0.5 ? 0 : 1;
        x[n * T * 4 + labels[n]!] = 1;
        for (let t = 1; t < T; t++) x[(n * T + t) * 4 + (u[n * T + t]! < 0.5 ? 2 : 3)] = 1;
      }
      return { x: new Tensor(x, [N, T, 4]), labels };
    };
    const train = (kind: 'lstm' | 'rnn') => {
      manualSeed(3);
      const model = kind === 'lstm' ? new nn.LSTM({ inputSize: 4, hiddenSize: H }) : new nn.RNN({ inputSize: 4, hiddenSize: H });
      if (model instanceof nn.LSTM) {
        // A forget-gate bias (Gers et al. 2000; chrono init, Tallec & Ollivier 2018, for lags
        // up to T: b_f up to log T ≈ 4): σ(4) ≈ 0.98 keeps the cell's memory from the start, so
        // the 50-step gradient is there to learn from. With PyTorch's plain init the LSTM, too,
        // mostly stays at chance in this budget.
        const bias = (model as unknown as Record<string, Tensor>)['bias_hh_l0']!;
        for (let j = H; j < 2 * H; j++) bias.data[j] += 4;
      }
      const readout = new nn.Linear(H, 2);
      const opt = new optim.Adam([...model.parameters(), ...readout.parameters()], { lr: 0.01 });
      const logits = (x: Tensor) => readout.forward(model.forward(x).h.reshape(N, H));
      for (let step = 0; step < 200; step++) {
        const b = batch();
        opt.zeroGrad();
        F.crossEntropy(logits(b.x), b.labels).backward();
        optim.clipGradNorm([...model.parameters(), ...readout.parameters()], 5);
        opt.step();
      }
      let correct = 0;
      const trials = 8;
      for (let i = 0; i < trials; i++) {
        const b = batch();
        const predicted = logits(b.x).argmax(1);
        for (let n = 0; n < N; n++) correct += predicted[n] === b.labels[n] ? 1 : 0;
      }
      return correct / (trials * N);
    };
    // One seed asserted here; over seeds 3–10 this budget (200 Adam steps) taught the LSTM in 7 of
    // 8 and the vanilla RNN in none (given 300 steps, the RNN found the bit in 1 of 6).
    const lstm = train('lstm');
    const rnn = train('rnn');
    expect(lstm).toBeGreaterThan(0.97);
    // 256 test sequences: chance is 0.5 ± 0.031 (one σ); 0.62 is nearly 4σ above it.
    expect(rnn).toBeLessThan(0.62);
  });
});

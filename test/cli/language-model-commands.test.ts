// tensorgrad train-lm and sample: a tiny run writes its run directory (config, metrics, samples,
// a model with its vocabulary), sample reads it back reproducibly by seed, from the bin script
// too, and bad input says what was expected.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { io } from '../../lib';
import { runSample } from '../../lib/cli/sample-command';
import { runTrainLm } from '../../lib/cli/train-lm-command';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorgrad-lm-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const text = 'abcabcabd abcabcabd '.repeat(30);
const textFile = path.join(root, 'tiny.txt');
fs.writeFileSync(textFile, text);

function sink() {
  const lines: string[] = [];
  return { out: { write: (t: string) => lines.push(t) }, text: () => lines.join('') };
}

describe('tensorgrad train-lm and sample', () => {
  const out = path.join(root, 'run');

  it('trains on a text and writes config, metrics, samples and the model with its vocabulary', async () => {
    const s = sink();
    const { history } = await runTrainLm({ text: textFile, hidden: 24, embedding: 8, seq: 10, batch: 4, epochs: 3, lr: 0.02, sampleLength: 20, out }, { out: s.out });
    expect(history).toHaveLength(3);
    for (const file of ['config.json', 'metrics.jsonl', 'train.log', 'model.safetensors', 'samples/epoch-001.txt', 'samples/epoch-003.txt']) {
      expect(fs.existsSync(path.join(out, file)), file).toBe(true);
    }
    const config = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8'));
    expect(config.text).toEqual({ file: textFile, characters: text.length, vocabulary: 5 });
    expect(config.model).toMatchObject({ cell: 'lstm', hiddenSize: 24, numLayers: 1, vocabSize: 5 });
    const metrics = fs.readFileSync(path.join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(metrics.map((m) => m.epoch)).toEqual([1, 2, 3]);
    expect(metrics[2].trainLoss).toBeLessThan(metrics[0].trainLoss);
    expect(fs.readFileSync(path.join(out, 'samples', 'epoch-003.txt'), 'utf8')).toHaveLength(22); // 1 + 20 + newline
    const saved = io.load(path.join(out, 'model.safetensors'));
    expect(JSON.parse(saved.metadata['vocab']!)).toEqual([' ', 'a', 'b', 'c', 'd']);
    expect(Object.keys(saved.tensors)).toContain('rnn.weight_hh_l0');
    expect(s.text()).toMatch(/epoch 3\/3: train [\d.]+ bits\/char, validation [\d.]+ bits\/char/);
  });

  it('samples reproducibly by seed from the run directory or the model file', () => {
    const a = runSample({ model: out, prime: 'ab', length: 40, temperature: 1, seed: 3 });
    const b = runSample({ model: path.join(out, 'model.safetensors'), prime: 'ab', length: 40, temperature: 1, seed: 3 });
    expect(a).toBe(b);
    expect(a).toHaveLength(42);
    expect(a.startsWith('ab')).toBe(true);
    expect(runSample({ model: out, prime: 'ab', length: 40, temperature: 1, seed: 4 })).not.toBe(a);
    expect(() => runSample({ model: out, prime: 'xyz', length: 5, temperature: 1, seed: 0 })).toThrow(/character 0 is "x"/);
    expect(() => runSample({ model: path.join(root, 'nowhere'), length: 5, temperature: 1, seed: 0 })).toThrow(/not found/);
  });

  it('refuses bad settings with what it expected', async () => {
    await expect(runTrainLm({ text: textFile, hidden: 0, out: path.join(root, 'bad') })).rejects.toThrow('train-lm: Expected a positive integer for --hidden but received 0');
    await expect(runTrainLm({ text: path.join(root, 'missing.txt'), out: path.join(root, 'bad') })).rejects.toThrow(/text file .* not found/);
  });

  it('runs from the bin script (dist/)', () => {
    const bin = path.join(__dirname, '..', '..', 'bin', 'tensorgrad.js');
    expect(execFileSync(process.execPath, [bin, 'train-lm', '--help'], { encoding: 'utf8' })).toMatch(/--cell <kind>[\s\S]*--seq <n>/);
    const dir = path.join(root, 'bin-run');
    const run = spawnSync(process.execPath, [bin, 'train-lm', '--text', textFile, '--hidden', '8', '--embedding', '4', '--epochs', '1', '--seq', '8', '--batch', '2', '--cell', 'gru', '--out', dir], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const args = [bin, 'sample', '--model', dir, '--prime', 'abc', '--length', '30', '--seed', '9'];
    const first = execFileSync(process.execPath, args, { encoding: 'utf8' });
    expect(first).toHaveLength(34);
    expect(execFileSync(process.execPath, args, { encoding: 'utf8' })).toBe(first);
    const bad = spawnSync(process.execPath, [bin, 'train-lm', '--cell', 'transformer'], { encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/Allowed choices are lstm, gru, rnn/);
  });
});

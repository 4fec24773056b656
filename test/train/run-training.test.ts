// runTraining from a script, without the CLI: an ES module importing the built package trains
// a short run and gets the run directory `tensorgrad train` writes; the same settings given to
// the command end with the same weights, bit for bit. Missing settings take the data's defaults
// and bad ones are refused before anything is written.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { io, resolveRunConfig, runTraining } from '../../lib';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorgrad-run-training-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const repo = path.join(__dirname, '..', '..');

describe('runTraining', () => {
  it('runs from a script that imports the package, and matches the command bit for bit', () => {
    const scripted = path.join(root, 'scripted');
    const script = path.join(root, 'train.mjs');
    fs.writeFileSync(script, [
      `import { runTraining } from ${JSON.stringify(path.join(repo, 'dist', 'esm', 'index.mjs'))};`,
      `const summary = await runTraining({ data: 'digits', model: '32', epochs: 2, seed: 5, out: ${JSON.stringify(scripted)} }, { out: { write() {} } });`,
      'process.stdout.write(JSON.stringify(summary));',
    ].join('\n'));
    const summary = JSON.parse(execFileSync(process.execPath, [script], { encoding: 'utf8' }));
    expect(summary).toMatchObject({ runDir: scripted, sizes: [64, 32, 10], epochs: 2 });
    expect(summary.bestTest.metrics.accuracy).toBeGreaterThan(0.5);
    for (const file of ['config.json', 'metrics.jsonl', 'train.log', 'model.safetensors', 'best.safetensors', 'summary.json', 'report.html', 'checkpoints']) {
      expect(fs.existsSync(path.join(scripted, file)), file).toBe(true);
    }
    const commanded = path.join(root, 'commanded');
    execFileSync(process.execPath, [path.join(repo, 'bin', 'tensorgrad.js'), 'train', '--model', '32', '--epochs', '2', '--seed', '5', '--out', commanded], { encoding: 'utf8' });
    const a = io.load(path.join(scripted, 'model.safetensors')).tensors;
    const b = io.load(path.join(commanded, 'model.safetensors')).tensors;
    for (const key of Object.keys(a)) {
      expect(a[key]!.data.findIndex((v, i) => !Object.is(v, b[key]!.data[i])), key).toBe(-1);
    }
  });

  it('fills what is not given from the data set\'s defaults and refuses bad settings before writing', async () => {
    expect(resolveRunConfig({ epochs: 3 })).toMatchObject({ data: 'digits', model: '512-256', batchSize: 32, epochs: 3, optimizer: 'adam' });
    expect(resolveRunConfig({ data: 'fashion-mnist', lr: undefined })).toMatchObject({ batchSize: 128, epochs: 10, lr: 1e-3 });
    const out = path.join(root, 'refused');
    await expect(runTraining({ epochs: 0, out })).rejects.toThrow('--epochs: Expected an integer >= 1 but received 0');
    await expect(runTraining({ colour: 'red', out } as never)).rejects.toThrow(/unknown setting "colour"/);
    await expect(runTraining(null as never)).rejects.toThrow(TypeError);
    expect(fs.existsSync(out)).toBe(false);
  });
});

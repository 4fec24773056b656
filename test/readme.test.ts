// The README's library example runs as written (against the built package) and learns.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.join(__dirname, '..');

describe('README', () => {
  it('starts with the two commands: train, then test', () => {
    const lines = fs.readFileSync(path.join(root, 'README.md'), 'utf8').split('\n');
    expect(lines[3]).toMatch(/^npm install && npm run train /);
    expect(lines[4]).toMatch(/^npm test/);
  });

  it('the PyTorch-style training loop runs and fits the digits', () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const block = /```ts\n(import \{ manualSeed, nn, optim, data \} from 'tensorgrad';[\s\S]*?)```/.exec(readme);
    expect(block, 'the example block').not.toBeNull();
    const code = block![1]!.replace(/import \{([^}]*)\} from 'tensorgrad';/, 'const {$1} = require(dist);');
    const run = new Function('require', 'dist', `${code}\nreturn { model, loader };`);
    const { model, loader } = run(require, path.join(root, 'dist'));
    const lib = require(path.join(root, 'dist'));
    let correct = 0;
    let total = 0;
    for (const batch of loader) {
      const predicted = lib.argmax(model.call(batch.x), 1);
      predicted.forEach((p: number, i: number) => { if (p === batch.y.data[i]) correct++; });
      total += predicted.length;
    }
    expect(correct / total).toBeGreaterThan(0.97);
  });
});

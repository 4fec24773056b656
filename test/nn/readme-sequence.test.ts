// The README's sequence-model example runs as written (against the built package) and learns.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.join(__dirname, '..', '..');

describe('README sequence example', () => {
  it('the "hello" RNN learns to say "ello"', () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const block = /```ts\n(import \{ manualSeed, nn, optim, tensor \} from 'tensorgrad';[\s\S]*?)```/.exec(readme);
    expect(block, 'the example block').not.toBeNull();
    const code = block![1]!.replace(/import \{([^}]*)\} from 'tensorgrad';/, 'const {$1} = require(dist);');
    const run = new Function('require', 'dist', `${code}\nreturn { rnn, readout, x, vocab };`);
    const { rnn, readout, x, vocab } = run(require, path.join(root, 'dist'));
    const logits = readout.forward(rnn.forward(x).output).reshape(4, 4);
    const predicted: Int32Array = logits.argmax(1);
    expect(Array.from(predicted, (i) => vocab[i]).join('')).toBe('ello');
  });
});

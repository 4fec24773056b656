// The README's first command, run as written in this checkout (what a fresh clone runs right
// after `npm install`): it trains on the build that install made and builds nothing again —
// neither the addon nor dist/ is touched. (.ci/run times it on its own fresh clone.)
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.join(__dirname, '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorgrad-readme-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The first command line of the README, without its comment and the install before it. */
export function readmeTrainCommand(): string[] {
  const line = fs.readFileSync(path.join(root, 'README.md'), 'utf8').split('\n')[3]!;
  const command = line.replace(/#.*$/, '').trim();
  const prefix = 'npm install && ';
  if (!command.startsWith(prefix)) throw new Error(`README line 4 should start with "${prefix}": ${line}`);
  return command.slice(prefix.length).split(/\s+/);
}

/** Modification times of what `npm install` builds. */
function builtTimes(): Record<string, number> {
  const files = ['build/Release/tensorgrad.node', 'dist/index.js', 'dist/cli/main.js'];
  return Object.fromEntries(files.filter((f) => fs.existsSync(path.join(root, f)))
    .map((f) => [f, fs.statSync(path.join(root, f)).mtimeMs]));
}

describe("the README's first command", () => {
  it('is npm run train, which trains on the existing build without rebuilding it', () => {
    const [program, ...args] = readmeTrainCommand();
    expect([program, ...args]).toEqual(['npm', 'run', 'train']);
    const before = builtTimes();
    expect(Object.keys(before)).toContain('dist/cli/main.js');
    const out = path.join(tmp, 'run');
    const text = execFileSync(program!, [...args, '--', '--epochs', '2', '--out', out], {
      cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(text).toMatch(/Finished epoch 2 \/ 2: cost [\d.]+/);
    expect(fs.existsSync(path.join(out, 'best.safetensors'))).toBe(true);
    expect(builtTimes()).toEqual(before);
  });
});

// The built package as users load it: `require('tensorgrad')` and `import … from 'tensorgrad'`
// through the exports map (npm test builds dist/ first), sharing one copy of the library state.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { referenceOnly } from './backend/backends';

const root = path.resolve(__dirname, '..');

/** Runs a script in a fresh node with the package resolvable by its name, returns its JSON. */
function run(script: string, type: 'commonjs' | 'module'): unknown {
  const dir = fs.mkdtempSync(path.join(root, 'node_modules', '.tensorgrad-consumer-'));
  try {
    const link = path.join(dir, 'node_modules', 'tensorgrad');
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(root, link, 'dir');
    const file = path.join(dir, type === 'module' ? 'main.mjs' : 'main.cjs');
    fs.writeFileSync(file, script);
    const env = { ...process.env, TENSORGRAD_BACKEND: '' };
    return JSON.parse(execFileSync(process.execPath, [file], { cwd: dir, env, encoding: 'utf8' }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const probe = (lib: string) => `
  const out = new Float32Array(2);
  ${lib}.getBackend().add(Float32Array.of(1, 2), Float32Array.of(3, 4), out);
  console.log(JSON.stringify({ backend: ${lib}.getBackend().name, sum: Array.from(out), exports: Object.keys(${lib}).sort() }));
`;

describe('the package', () => {
  it('loads with require() and computes on the native backend', () => {
    const result = run(`const lib = require('tensorgrad');${probe('lib')}`, 'commonjs') as { backend: string; sum: number[]; exports: string[] };
    expect(result.sum).toEqual([4, 6]);
    expect(result.backend).toBe(referenceOnly ? 'reference' : 'native');
    // The tests' comparison helpers and error bounds are no part of the public API.
    for (const internal of ['findDivergence', 'formatDivergence', 'RNN_RELATIVE_ERROR']) expect(result.exports).not.toContain(internal);
  });

  it('loads with import, with the same named exports, and shares state with require()', () => {
    const esm = run(`import * as lib from 'tensorgrad';${probe('lib')}`, 'module') as { exports: string[]; sum: number[] };
    const cjs = run(`const lib = require('tensorgrad');${probe('lib')}`, 'commonjs') as { exports: string[] };
    expect(esm.sum).toEqual([4, 6]);
    expect(esm.exports.filter((n) => n !== 'default')).toEqual(cjs.exports);
    const shared = run(`
      import { createRequire } from 'node:module';
      import { setBackend, getBackend } from 'tensorgrad';
      setBackend('reference');
      const viaRequire = createRequire(import.meta.url)('tensorgrad');
      console.log(JSON.stringify(viaRequire.getBackend() === getBackend()));
    `, 'module');
    expect(shared).toBe(true);
  });

  it('ships type declarations for its entry point', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    const types = path.join(root, pkg.exports['.'].types);
    expect(fs.existsSync(types)).toBe(true);
    // Backend is a mapped type over the kernel declarations (lib/backend/backend.ts), which ship too.
    expect(fs.readFileSync(path.join(root, 'dist', 'backend', 'backend.d.ts'), 'utf8')).toMatch(/export type Backend = KernelsOf<'float32'>/);
    expect(fs.existsSync(path.join(root, 'dist', 'backend', 'kernels', 'gemm.d.ts'))).toBe(true);
  });
});

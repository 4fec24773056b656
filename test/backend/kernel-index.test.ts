// lib/backend/kernels/index.ts is generated from the area files of its folder
// (scripts/kernel-index.js, which build:ts and typecheck run first): the committed file must be
// what the script writes, so an area added without rerunning it fails here.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AREAS, KERNELS } from '../../lib/backend/kernels';

const root = path.resolve(__dirname, '..', '..');
const folder = path.join(root, 'lib', 'backend', 'kernels');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { render } = require(path.join(root, 'scripts', 'kernel-index.js')) as { render: () => string };

describe('lib/backend/kernels/index.ts', () => {
  it('is what scripts/kernel-index.js writes', () => {
    expect(fs.readFileSync(path.join(folder, 'index.ts'), 'utf8')).toBe(render());
    execFileSync(process.execPath, [path.join(root, 'scripts', 'kernel-index.js'), '--check']);
  });

  it('names one area per file of the folder and every kernel of every area', () => {
    const files = fs.readdirSync(folder).filter((f) => f.endsWith('.ts') && f !== 'index.ts');
    expect(Object.keys(AREAS)).toHaveLength(files.length);
    const names = Object.values(AREAS).flatMap((area) => Object.keys(area));
    expect(Object.keys(KERNELS).sort()).toEqual([...names].sort());
  });

  it('--check exits 1 naming the file when the index is stale', () => {
    const copy = fs.mkdtempSync(path.join(root, 'node_modules', '.kernel-index-'));
    try {
      fs.mkdirSync(path.join(copy, 'scripts'));
      fs.mkdirSync(path.join(copy, 'lib', 'backend', 'kernels'), { recursive: true });
      fs.copyFileSync(path.join(root, 'scripts', 'kernel-index.js'), path.join(copy, 'scripts', 'kernel-index.js'));
      for (const f of fs.readdirSync(folder)) fs.copyFileSync(path.join(folder, f), path.join(copy, 'lib', 'backend', 'kernels', f));
      fs.writeFileSync(path.join(copy, 'lib', 'backend', 'kernels', 'extra.ts'), 'export const EXTRA = {\n};\n');
      let status = 0;
      let stderr = '';
      try {
        execFileSync(process.execPath, [path.join(copy, 'scripts', 'kernel-index.js'), '--check'], { cwd: copy, stdio: 'pipe' });
      } catch (e) {
        status = (e as { status: number }).status;
        stderr = String((e as { stderr: Buffer }).stderr);
      }
      expect(status).toBe(1);
      expect(stderr).toContain('lib/backend/kernels/index.ts is stale');
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });
});

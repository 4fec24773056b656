// docs/custom-ops.md runs as written: each TypeScript block type-checks against the library and
// runs against the built package (npm test builds dist/ first), printing what the page says it
// prints; the errors in its table are the ones the library throws.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.join(__dirname, '..', '..');
const page = fs.readFileSync(path.join(root, 'docs', 'custom-ops.md'), 'utf8');
const blocks = [...page.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);

/** Runs one block as a CommonJS module with `tensorgrad` resolved to dist/; returns its top-level names and what it logged. */
function run(source: string): { scope: Record<string, unknown>; logs: unknown[][] } {
  const names = [...source.matchAll(/^(?:class|const|type) (\w+)/gm)].filter((m) => !m[0].startsWith('type')).map((m) => m[1]!);
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  const logs: unknown[][] = [];
  const fakeConsole = { log: (...args: unknown[]) => logs.push(args) };
  const load = (id: string) => require(id === 'tensorgrad' ? path.join(root, 'dist') : id);
  const body = `${js}\nreturn { ${names.join(', ')} };`;
  const scope = new Function('require', 'exports', 'console', body)(load, {}, fakeConsole) as Record<string, unknown>;
  return { scope, logs };
}

describe('docs/custom-ops.md', () => {
  let results: ReturnType<typeof run>[] = [];
  beforeAll(() => {
    results = blocks.map(run);
  });

  it('has its three examples, and they type-check against the library', () => {
    expect(blocks).toHaveLength(3);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custom-ops-doc-'));
    try {
      const files = blocks.map((code, i) => {
        const file = path.join(dir, `block${i}.ts`);
        fs.writeFileSync(file, `${code}\nexport {};\n`);
        return file;
      });
      const program = ts.createProgram(files, {
        strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.Node16,
        moduleResolution: ts.ModuleResolutionKind.Node16, skipLibCheck: true, types: ['node'],
        typeRoots: [path.join(root, 'node_modules', '@types')], noImplicitOverride: true,
        // The published declarations, as a user's project sees them (npm test builds dist/ first).
        paths: { tensorgrad: [path.join(root, 'dist', 'index.d.ts')] },
      });
      const diagnostics = ts.getPreEmitDiagnostics(program).filter((d) => d.file && files.includes(path.resolve(d.file.fileName)));
      const text = diagnostics.map((d) => `${path.basename(d.file!.fileName)}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
      expect(text, text.join('\n')).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('MultiplyGate: ∂(x·y)/∂x = y and ∂/∂y = x', () => {
    expect(results[0]!.logs).toEqual([[[5, -4], [-2, 3]]]);
  });

  it('the hand-written batch norm passes gradcheck in float64 and matches nn.functional.batchNorm', () => {
    const [message, difference] = results[1]!.logs.map((l) => l[0]);
    expect(message).toMatch(/^gradcheck passed on 24 derivatives/);
    expect(difference).toBeLessThan(1e-12);
  });

  it('the two-output op: the index has no gradient, the maximum gets one per row', () => {
    expect(results[2]!.logs).toEqual([[false, 4]]);
  });

  it('the table\'s errors are what the library throws', () => {
    const lib = require(path.join(root, 'dist'));
    // The blocks' classes come from transpiled code: untyped here.
    const DocMultiply = results[0]!.scope.Multiply as any;
    const DocBatchNorm = results[1]!.scope.HandBatchNorm as any;
    const quoted = (start: string) => {
      const m = new RegExp(`\`((?:RangeError|TypeError): ${start}[^\`]*)\``).exec(page);
      expect(m, start).not.toBeNull();
      return m![1]!.replace(/^\w+: /, '');
    };
    const thrown = (fn: () => void) => {
      try {
        fn();
      } catch (e) {
        return (e as Error).message;
      }
      return 'nothing thrown';
    };
    const x = lib.randn([6, 3], { requiresGrad: true });
    const g = lib.randn([3], { requiresGrad: true });
    const b = lib.randn([3], { requiresGrad: true });
    // Subclasses keep the name, so the messages name the documented op.
    const tooFew = class Multiply extends DocMultiply {
      static backward(_ctx: unknown, dz: unknown) { return [dz]; }
    };
    expect(thrown(() => (tooFew as any).apply(x, x).sum().backward())).toBe(quoted('Multiply.backward'));
    const wrongShape = class HandBatchNorm extends DocBatchNorm {
      static backward(ctx: unknown, dy: unknown) {
        const grads = DocBatchNorm.backward(ctx, dy);
        return [grads[0], grads[1].reshape(1, 3), grads[2], null];
      }
    };
    expect(thrown(() => (wrongShape as any).apply(x, g, b, 1e-5).sum().backward())).toBe(quoted('HandBatchNorm.backward'));
    const numberGrad = class HandBatchNorm extends DocBatchNorm {
      static backward(ctx: unknown, dy: unknown) {
        const grads = DocBatchNorm.backward(ctx, dy);
        return [grads[0], grads[1], grads[2], grads[2]];
      }
    };
    expect(thrown(() => (numberGrad as any).apply(x, g, b, 1e-5).sum().backward())).toBe(`HandBatchNorm.backward: ${quoted('… Expected null').replace(/^… /, '')}`);
  });
});

// What the ONNX tests share: running a file in ONNX Runtime (onnxruntime-node, loaded only when a
// test runs), the comparison "within 1e-5 of the largest magnitude", and onnx.checker in Python.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect } from 'vitest';

type Ort = typeof import('onnxruntime-node');
let ort: Ort | null = null;

async function runtime(): Promise<Ort> {
  ort ??= await import('onnxruntime-node');
  return ort;
}

/** A feed: float32 values, or int64 ids. */
export interface Feed {
  data: Float32Array | BigInt64Array;
  dims: readonly number[];
}

/** Runs `bytes` in ONNX Runtime (one intra-op thread) on the feeds; every output by name. */
export async function runOrt(bytes: Uint8Array, feeds: Record<string, Feed>, threads = 1): Promise<Record<string, { data: Float32Array; dims: readonly number[] }>> {
  const o = await runtime();
  const session = await o.InferenceSession.create(bytes, { intraOpNumThreads: threads, interOpNumThreads: 1 });
  try {
    const inputs: Record<string, InstanceType<Ort['Tensor']>> = {};
    for (const [name, f] of Object.entries(feeds)) {
      inputs[name] = f.data instanceof BigInt64Array ? new o.Tensor('int64', f.data, f.dims) : new o.Tensor('float32', f.data, f.dims);
    }
    const results = await session.run(inputs);
    return Object.fromEntries(Object.entries(results).map(([name, t]) => [name, { data: t.data as Float32Array, dims: t.dims }]));
  } finally {
    await session.release();
  }
}

/** |ours − theirs| ≤ 1e-5 · max|theirs| everywhere, shapes equal; the message says where it is not. */
export function expectWithinLargest(what: string, ours: ArrayLike<number>, oursShape: readonly number[], theirs: ArrayLike<number>, theirShape: readonly number[], tolerance = 1e-5): void {
  expect([...theirShape], `${what}: shape`).toEqual([...oursShape]);
  expect(theirs.length, `${what}: length`).toBe(ours.length);
  let largest = 0;
  for (let i = 0; i < theirs.length; i++) largest = Math.max(largest, Math.abs(theirs[i]!));
  const bound = tolerance * Math.max(largest, 1e-30);
  let worst = 0;
  let at = -1;
  let bad = 0;
  for (let i = 0; i < ours.length; i++) {
    const e = Math.abs(ours[i]! - theirs[i]!);
    if (!(e <= bound)) bad++;
    if (!(e <= worst)) { worst = e; at = i; }
  }
  expect(bad, `${what}: ${bad} of ${ours.length} differ by more than ${bound.toExponential(2)} (largest |value| ${largest.toExponential(3)}); worst ${worst.toExponential(3)} at ${at}: ours ${ours[at]}, theirs ${theirs[at]}`).toBe(0);
  expect(largest, `${what}: the outputs are all zero, a comparison that proves nothing`).toBeGreaterThan(0);
}

/**
 * onnx.checker.check_model(full_check=True) (Debian's python3-onnx) on each file, in one Python
 * process; returns the files it refused with its message.
 */
export function checkModels(files: Record<string, Uint8Array>): Record<string, string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorgrad-onnx-check-'));
  try {
    const names = Object.keys(files);
    names.forEach((name, i) => fs.writeFileSync(path.join(dir, `${i}.onnx`), files[name]!));
    const script = [
      'import json, sys, onnx',
      'out = {}',
      'for i, f in enumerate(sys.argv[2:]):',
      '    try:',
      '        onnx.checker.check_model(onnx.load(f), full_check=True)',
      '    except Exception as e:',
      '        out[str(i)] = str(e)[:2000]',
      'print(json.dumps(out))',
    ].join('\n');
    const out = execFileSync('/usr/bin/python3', ['-c', script, dir, ...names.map((_, i) => path.join(dir, `${i}.onnx`))], { encoding: 'utf8', maxBuffer: 1 << 26 });
    const refused = JSON.parse(out) as Record<string, string>;
    return Object.fromEntries(Object.entries(refused).map(([i, message]) => [names[Number(i)]!, message]));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * GELU as ONNX files write it before opset 20: x·(1 + erf(x/√2))/2 in Div (or Mul by 1/√2),
 * Erf, Add 1 and two Muls, in any of the orders PyTorch's exporter and ours use. tensorgrad has
 * GELU but no Erf op, so the pattern becomes one Gelu node (what ONNX Runtime's own fusion
 * does); an Erf outside the pattern stays, and is refused by its entry with a clear message.
 */
import type { CheckedNode, Constant } from './read-graph';

const near = (v: number | undefined, target: number) => v !== undefined && Math.abs(v - target) <= 1e-6 * Math.abs(target);

/** Rewrites `nodes`: each matched pattern's last Mul becomes Gelu(x); the inner nodes go. */
export function fuseGelu(nodes: readonly CheckedNode[], initializers: ReadonlyMap<string, Constant>, outputs: readonly string[]): CheckedNode[] {
  if (!nodes.some((n) => n.op === 'Erf')) return [...nodes];
  const scalars = new Map<string, number>();
  const scalar = (c: Constant | undefined) => (c && c.kind === 'float' && c.data.length === 1 ? c.data[0] : undefined);
  for (const [name, c] of initializers) { const v = scalar(c); if (v !== undefined) scalars.set(name, v); }
  for (const n of nodes) {
    const value = n.attributes.get('value');
    if (n.op === 'Constant' && typeof value === 'object' && !Array.isArray(value)) { const v = scalar(value); if (v !== undefined) scalars.set(n.outputs[0]!, v); }
  }
  const producer = new Map<string, CheckedNode>();
  const consumers = new Map<string, CheckedNode[]>();
  for (const n of nodes) {
    for (const o of n.outputs) producer.set(o, n);
    for (const i of n.inputs) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  }
  /** For a two-input node of `op`: the input that is not the scalar `value`, when the other is. */
  const otherThanScalar = (n: CheckedNode | undefined, op: string, value: number): string | undefined => {
    if (!n || n.op !== op || n.inputs.length !== 2) return undefined;
    const [a, b] = n.inputs as [string, string];
    if (near(scalars.get(b), value)) return a;
    if (op !== 'Div' && near(scalars.get(a), value)) return b;
    return undefined;
  };
  /** For a two-input Mul: the input that is not `operand`, when the other is. */
  const otherThan = (n: CheckedNode, operand: string): string | undefined => {
    if (n.op !== 'Mul' || n.inputs.length !== 2) return undefined;
    return n.inputs[0] === operand ? n.inputs[1] : n.inputs[1] === operand ? n.inputs[0] : undefined;
  };
  const only = (value: string) => { const c = consumers.get(value) ?? []; return c.length === 1 && !outputs.includes(value) ? c[0] : undefined; };
  const removed = new Set<CheckedNode>();
  const replaced = new Map<CheckedNode, CheckedNode>();
  for (const erf of nodes) {
    if (erf.op !== 'Erf' || erf.inputs.length !== 1) continue;
    const scaled = producer.get(erf.inputs[0]!);
    const x = otherThanScalar(scaled, 'Div', Math.SQRT2) ?? otherThanScalar(scaled, 'Mul', Math.SQRT1_2);
    const plusOne = only(erf.outputs[0]!);
    if (x === undefined || !plusOne || otherThanScalar(plusOne, 'Add', 1) !== erf.outputs[0]) continue;
    const a = plusOne.outputs[0]!;
    let last: CheckedNode | undefined;
    const inner: CheckedNode[] = [scaled!, erf, plusOne];
    const m1 = only(a);
    if (m1) {
      const other = otherThan(m1, a);
      const next = only(m1.outputs[0]!);
      const xThenHalf = other === x && next !== undefined && otherThanScalar(next, 'Mul', 0.5) === m1.outputs[0]; // (x·A)·0.5
      const halfThenX = near(scalars.get(other ?? ''), 0.5) && next !== undefined && otherThan(next, m1.outputs[0]!) === x; // x·(A·0.5)
      if (xThenHalf || halfThenX) {
        inner.push(m1);
        last = next;
      } else if (other !== undefined && otherThanScalar(producer.get(other), 'Mul', 0.5) === x) {
        last = m1; // (x·0.5)·A
      }
    }
    if (!last) continue;
    // The Div/Mul of x may feed other nodes too (then it stays); the rest is only the pattern's.
    const scaledOnly = (consumers.get(scaled!.outputs[0]!) ?? []).length === 1 && !outputs.includes(scaled!.outputs[0]!);
    for (const n of inner) if (n !== scaled || scaledOnly) removed.add(n);
    replaced.set(last, { ...last, op: 'Gelu', inputs: [x], attributes: new Map([['approximate', 'none']]) });
  }
  return nodes.filter((n) => !removed.has(n)).map((n) => replaced.get(n) ?? n);
}

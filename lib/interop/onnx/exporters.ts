/**
 * The exporter table: one entry per layer class, each writing its eval-mode forward as ONNX nodes
 * into a GraphBuilder. A new layer (Conv2d, the pools) is one registerExporter call; lookup walks
 * the prototype chain, so a subclass uses its parent's entry unless it has its own.
 */
import type { Module } from '../../nn/module';
import { type Dim, type GraphBuilder, type Value, attr, formatDims } from './graph-builder';

/** Any module, whatever its forward returns (Module is invariant in its output type). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyModule = Module<any>;

/** What an exporter returns: one value, or named values (an RNN's output, h and c). */
export type Exported = Value | { readonly [name: string]: Value };

export interface ExportContext {
  readonly builder: GraphBuilder;
  /** Exports a child module under its attribute name (node and initializer names follow it). */
  child(module: AnyModule, name: string, input: Value): Exported;
}

export type Exporter<M extends AnyModule = AnyModule> = (module: M, input: Value, context: ExportContext) => Exported;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ModuleClass<M extends AnyModule> = abstract new (...args: any[]) => M;

const table = new Map<object, Exporter>();

/** Registers how instances of `type` (and of its subclasses without their own entry) export. */
export function registerExporter<M extends AnyModule>(type: ModuleClass<M>, exporter: Exporter<M>): void {
  table.set(type.prototype as object, exporter as Exporter);
}

/** The entry for `module`'s class or its nearest ancestor with one. */
export function exporterFor(module: AnyModule): Exporter | undefined {
  for (let proto = Object.getPrototypeOf(module) as object | null; proto; proto = Object.getPrototypeOf(proto) as object | null) {
    const found = table.get(proto);
    if (found) return found;
  }
  return undefined;
}

/** The one value of an exporter's result; an error naming the module when it gave several. */
export function single(result: Exported, what: string): Value {
  if (isValue(result)) return result;
  throw new TypeError(`onnx.exportModel: ${what} produces several outputs (${Object.keys(result).join(', ')}) and cannot feed the next layer`);
}

export function isValue(result: Exported): result is Value {
  return typeof (result as Value).name === 'string' && Array.isArray((result as Value).shape);
}

/** The input's rank and last dimension checked against what the layer expects. */
export function expectFeatures(owner: string, input: Value, features: number, minRank = 2): void {
  const last = input.shape[input.shape.length - 1];
  if (input.shape.length < minRank || last !== features) {
    throw new RangeError(`onnx.exportModel: ${owner}: Expected an input [..., ${features}] of rank >= ${minRank} but received ${formatDims(input.shape)}`);
  }
}

/** An elementwise op of one input (Relu, Tanh, …): the shape passes through. */
export function unaryNode(b: GraphBuilder, op: string, x: Value, attributes = {}): Value {
  return b.op(op, [x.name], x.shape, attributes);
}

/** x·s for a float scalar s (skipped when s is 1). */
export function scale(b: GraphBuilder, x: Value, s: number, name: string): Value {
  if (s === 1) return x;
  return b.op('Mul', [x.name, b.scalar(name, s)], x.shape);
}

/** −x. */
export function negate(b: GraphBuilder, x: Value): Value {
  return b.op('Neg', [x.name], x.shape);
}

/** log σ(x) = −softplus(−x): ONNX has no LogSigmoid; Softplus is stable in ONNX Runtime. */
export function logSigmoidNodes(b: GraphBuilder, x: Value): Value {
  return negate(b, unaryNode(b, 'Softplus', negate(b, x)));
}

/** Swaps the first two dimensions ([N, T, F] ↔ [T, N, F]). */
export function swapLeading(b: GraphBuilder, x: Value): Value {
  const perm = x.shape.map((_, i) => (i === 0 ? 1 : i === 1 ? 0 : i));
  return b.op('Transpose', [x.name], perm.map((p) => x.shape[p]!), { perm: attr.ints(perm) });
}

/** Static sizes of the dimensions, an error naming the layer when one is only known at run time. */
export function staticDims(owner: string, dims: readonly Dim[]): number[] {
  return dims.map((d) => {
    if (typeof d !== 'number') throw new RangeError(`onnx.exportModel: ${owner}: needs a fixed size for dimension "${d}"`);
    return d;
  });
}

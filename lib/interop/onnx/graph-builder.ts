/**
 * GraphBuilder: what the per-layer exporters write into. Values carry a symbolic shape (numbers,
 * or names such as "batch" for dimensions fixed only at run time) so each exporter can check its
 * input and choose between ops (Gemm for [N, in], MatMul + Add for [N, T, in]); node and
 * initializer names follow the module path, as PyTorch names them ("/net/0/Gemm", "net.0.weight").
 */
import * as os from 'node:os';
import { formatShape } from '../../autograd/tensor';
import { AttributeType, DataType, type AttributeProto, type NodeProto, type TensorProto, type ValueInfoProto } from './proto';

/** A dimension: its size, or a name for a size known only at run time. */
export type Dim = number | string;

/** A symbolic shape as error messages write shapes: [batch, 784]. */
export function formatDims(dims: readonly Dim[]): string {
  return `[${dims.join(', ')}]`;
}

export interface Value {
  name: string;
  shape: Dim[];
  /** A TensorProto.DataType (FLOAT for activations, INT64 for ids). */
  type: number;
}

/** An attribute value, tagged with its ONNX type so 1 (int) and 1.0 (float) stay apart. */
export type Attribute =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'ints'; value: readonly number[] }
  | { kind: 'floats'; value: readonly number[] }
  | { kind: 'string'; value: string }
  | { kind: 'strings'; value: readonly string[] }
  | { kind: 'tensor'; value: TensorProto };

export const attr = {
  int: (value: number): Attribute => ({ kind: 'int', value }),
  float: (value: number): Attribute => ({ kind: 'float', value }),
  ints: (value: readonly number[]): Attribute => ({ kind: 'ints', value }),
  floats: (value: readonly number[]): Attribute => ({ kind: 'floats', value }),
  string: (value: string): Attribute => ({ kind: 'string', value }),
  strings: (value: readonly string[]): Attribute => ({ kind: 'strings', value }),
};

function toAttribute(name: string, a: Attribute): AttributeProto {
  const utf8 = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));
  switch (a.kind) {
    case 'int': return { name, type: AttributeType.INT, i: a.value };
    case 'float': return { name, type: AttributeType.FLOAT, f: a.value };
    case 'ints': return { name, type: AttributeType.INTS, ints: [...a.value] };
    case 'floats': return { name, type: AttributeType.FLOATS, floats: [...a.value] };
    case 'string': return { name, type: AttributeType.STRING, s: utf8(a.value) };
    case 'strings': return { name, type: AttributeType.STRINGS, strings: a.value.map(utf8) };
    case 'tensor': return { name, type: AttributeType.TENSOR, t: a.value };
  }
}

const LITTLE_ENDIAN = os.endianness() === 'LE';

/** Float values as TensorProto raw_data: little-endian float32, whatever the host. */
function float32Bytes(values: ArrayLike<number>): Uint8Array {
  const f32 = values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
  if (LITTLE_ENDIAN) return new Uint8Array(f32.buffer.slice(f32.byteOffset, f32.byteOffset + f32.byteLength));
  const out = new Uint8Array(f32.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < f32.length; i++) view.setFloat32(4 * i, f32[i]!, true);
  return out;
}

function int64Bytes(values: readonly number[]): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setBigInt64(8 * i, BigInt(v), true));
  return out;
}

export function valueInfo(v: Value): ValueInfoProto {
  const dim = v.shape.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d }));
  return { name: v.name, type: { tensor_type: { elem_type: v.type, shape: { dim } } } };
}

export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  readonly inputs: Value[] = [];
  readonly #used = new Set<string>();
  readonly #scope: string[] = [];

  constructor(readonly opset: number) {}

  /** A name not used yet: base, else base_1, base_2, … */
  unique(base: string): string {
    let name = base;
    for (let k = 1; this.#used.has(name); k++) name = `${base}_${k}`;
    this.#used.add(name);
    return name;
  }

  /** Runs fn with the module path extended by `name` (node and initializer names follow it). */
  within<T>(name: string, fn: () => T): T {
    if (name) this.#scope.push(name);
    try {
      return fn();
    } finally {
      if (name) this.#scope.pop();
    }
  }

  /** The dotted module path of the current scope ("net.0"), "" at the top. */
  get path(): string {
    return this.#scope.join('.');
  }

  addInput(name: string, shape: Dim[], type: number = DataType.FLOAT): Value {
    const value = { name: this.unique(name), shape, type };
    this.inputs.push(value);
    return value;
  }

  /** A float32 initializer named after the module path ("net.0.weight"). */
  weight(name: string, values: ArrayLike<number>, dims: readonly number[]): string {
    const count = dims.reduce((a, b) => a * b, 1);
    if (values.length !== count) throw new RangeError(`onnx.exportModel: ${name}: Expected ${count} values for ${formatShape(dims)} but received ${values.length}`);
    const full = this.unique(this.path ? `${this.path}.${name}` : name);
    this.initializers.push({ name: full, dims: [...dims], data_type: DataType.FLOAT, raw_data: float32Bytes(values) });
    return full;
  }

  /** An int64 constant (shapes, axes, indices) as an initializer. */
  int64(name: string, values: readonly number[], dims: readonly number[] = [values.length]): string {
    const full = this.unique(this.path ? `${this.path}.${name}` : name);
    this.initializers.push({ name: full, dims: [...dims], data_type: DataType.INT64, raw_data: int64Bytes(values) });
    return full;
  }

  /** A float scalar constant. */
  scalar(name: string, value: number): string {
    return this.weight(name, [value], []);
  }

  /**
   * Appends a node; returns its output names. Empty strings among the inputs mark optional
   * inputs left out; trailing ones are dropped, as ONNX allows.
   */
  node(opType: string, inputs: readonly string[], attributes: Record<string, Attribute> = {}, outputs = 1): string[] {
    const given = [...inputs];
    while (given.length > 0 && given[given.length - 1] === '') given.pop();
    const scope = `/${this.#scope.join('/')}${this.#scope.length ? '/' : ''}`;
    const name = this.unique(`${scope}${opType}`);
    const outs = Array.from({ length: outputs }, (_, k) => this.unique(`${name}_output_${k}`));
    this.nodes.push({
      name, op_type: opType, input: given, output: outs,
      attribute: Object.entries(attributes).map(([key, a]) => toAttribute(key, a)),
    });
    return outs;
  }

  /** One-output node as a Value. */
  op(opType: string, inputs: readonly string[], shape: Dim[], attributes: Record<string, Attribute> = {}, type: number = DataType.FLOAT): Value {
    return { name: this.node(opType, inputs, attributes)[0]!, shape, type };
  }

  /**
   * Gives the value `name` (a graph output's public name): renames the producing node's output,
   * or adds an Identity when the value is a graph input, an initializer or already renamed.
   */
  rename(value: Value, name: string): Value {
    const producer = this.nodes.find((n) => n.output!.includes(value.name));
    const wanted = this.#used.has(name) ? this.unique(name) : (this.#used.add(name), name);
    if (!producer) {
      this.nodes.push({ name: this.unique(`/${wanted}/Identity`), op_type: 'Identity', input: [value.name], output: [wanted] });
      return { ...value, name: wanted };
    }
    producer.output = producer.output!.map((o) => (o === value.name ? wanted : o));
    for (const n of this.nodes) n.input = n.input!.map((i) => (i === value.name ? wanted : i));
    return { ...value, name: wanted };
  }
}

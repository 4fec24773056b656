/**
 * An ONNX file checked before anything is built from it: the decoded ModelProto's graph with
 * every initializer's dims and byte counts verified against the bytes it has (so nothing is
 * allocated beyond the file's own size), attributes decoded by their declared type, and the
 * nodes verified to read only values defined before them (which also rules out cycles).
 */
import { DATA_TYPE_NAMES, DataType, type AttributeProto, type GraphProto, type Int64, type ModelProto, type TensorProto, decodeModel } from './proto';
import { AttributeType } from './proto';

/** Largest element count of any one tensor the importer makes (1 GiB of float32). */
export const MAX_ELEMENTS = 1 << 28;

export type Constant =
  | { kind: 'float'; data: Float32Array; dims: number[] }
  | { kind: 'int'; data: number[]; dims: number[] };

export type AttributeValue = number | string | number[] | string[] | Constant;

export interface CheckedNode {
  /** The node's name, or "#index op_type" when it has none: what error messages cite. */
  label: string;
  /** The node's own name ('' when it has none). */
  name: string;
  op: string;
  inputs: string[];
  outputs: string[];
  attributes: Map<string, AttributeValue>;
}

export interface CheckedGraph {
  opset: number;
  /** The one graph input that is not an initializer, with its declared shape (null: symbolic). */
  input: { name: string; dims: (number | null)[]; elemType: number };
  outputs: string[];
  initializers: Map<string, Constant>;
  nodes: CheckedNode[];
}

/** A name from the file as messages quote it: at most 60 characters. */
export function quoted(name: string): string {
  return JSON.stringify(name.length > 60 ? `${name.slice(0, 57)}...` : name);
}

const fail = (message: string): never => {
  throw new RangeError(`onnx.importModel: ${message}`);
};

function safeInt(value: Int64 | undefined, what: string): number {
  const n = typeof value === 'string' ? Number(value) : value ?? 0;
  if (!Number.isSafeInteger(n)) fail(`${what} is not a safe integer (${String(value)})`);
  return n;
}

function checkDims(dims: readonly Int64[] | undefined, what: string): number[] {
  const out = (dims ?? []).map((d, i) => {
    const n = safeInt(d, `${what} dimension ${i}`);
    if (n < 0 || n > MAX_ELEMENTS) fail(`${what} has dimension ${i} of ${n}, outside [0, ${MAX_ELEMENTS}]`);
    return n;
  });
  if (out.length > 8) fail(`${what} has ${out.length} dimensions; at most 8 are supported`);
  const count = out.reduce((a, b) => a * b, 1);
  if (count > MAX_ELEMENTS) fail(`${what} of shape [${out.join(', ')}] holds ${count} elements, more than ${MAX_ELEMENTS}`);
  return out;
}

/** A TensorProto's values, after checking that its data holds exactly dims' product of them. */
export function readTensor(t: TensorProto, what: string): Constant {
  const dims = checkDims(t.dims, what);
  const count = dims.reduce((a, b) => a * b, 1);
  if (t.data_location === 1 || (t.external_data && t.external_data.length > 0)) fail(`${what} keeps its data in an external file, which is not supported`);
  const raw = t.raw_data;
  const type = t.data_type ?? 0;
  if (type === DataType.FLOAT) {
    if (raw && raw.length > 0) {
      if (raw.length !== 4 * count) fail(`${what}: Expected ${4 * count} bytes of float32 for [${dims.join(', ')}] but the file has ${raw.length}`);
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      const data = new Float32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getFloat32(4 * i, true);
      return { kind: 'float', data, dims };
    }
    const values = t.float_data ?? [];
    if (values.length !== count) fail(`${what}: Expected ${count} float values for [${dims.join(', ')}] but the file has ${values.length}`);
    return { kind: 'float', data: Float32Array.from(values), dims };
  }
  if (type === DataType.INT64 || type === DataType.INT32) {
    const size = type === DataType.INT64 ? 8 : 4;
    if (raw && raw.length > 0) {
      if (raw.length !== size * count) fail(`${what}: Expected ${size * count} bytes of ${DATA_TYPE_NAMES[type]} for [${dims.join(', ')}] but the file has ${raw.length}`);
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      const data = new Array<number>(count);
      // int64 values beyond ±2⁵³ only ever mean "to the end" (Slice's INT64_MAX): ±2⁵³ − 1 does too.
      const limit = BigInt(Number.MAX_SAFE_INTEGER);
      for (let i = 0; i < count; i++) {
        if (size === 4) data[i] = view.getInt32(4 * i, true);
        else {
          const v = view.getBigInt64(8 * i, true);
          data[i] = Number(v > limit ? limit : v < -limit ? -limit : v);
        }
      }
      return { kind: 'int', data, dims };
    }
    const values = type === DataType.INT64 ? t.int64_data ?? [] : t.int32_data ?? [];
    if (values.length !== count) fail(`${what}: Expected ${count} integer values for [${dims.join(', ')}] but the file has ${values.length}`);
    return { kind: 'int', data: values.map((v, i) => safeInt(v, `${what} value ${i}`)), dims };
  }
  if (type === DataType.BOOL) {
    // Booleans (Dropout's training_mode) as the integers 0 and 1: a byte each, or int32_data.
    const values = raw && raw.length > 0 ? Array.from(raw) : t.int32_data ?? [];
    if (values.length !== count) fail(`${what}: Expected ${count} bool values for [${dims.join(', ')}] but the file has ${values.length}`);
    return { kind: 'int', data: values.map((v) => (Number(v) !== 0 ? 1 : 0)), dims };
  }
  return fail(`${what} has element type ${DATA_TYPE_NAMES[type] ?? type}; float32, int32, int64 and bool are supported`);
}

function readAttribute(a: AttributeProto, where: string): AttributeValue {
  const what = `attribute ${quoted(a.name ?? '')} of ${where}`;
  const text = (s: Uint8Array) => Buffer.from(s.buffer, s.byteOffset, s.byteLength).toString('utf8');
  switch (a.type) {
    case AttributeType.FLOAT: return a.f ?? 0;
    case AttributeType.INT: return safeInt(a.i, what);
    case AttributeType.STRING: return text(a.s ?? new Uint8Array(0));
    case AttributeType.FLOATS: return [...(a.floats ?? [])];
    case AttributeType.INTS: return (a.ints ?? []).map((v, i) => safeInt(v, `${what} value ${i}`));
    case AttributeType.STRINGS: return (a.strings ?? []).map(text);
    case AttributeType.TENSOR: return readTensor(a.t ?? {}, what);
    default: return fail(`${what} has type ${a.type ?? 'none'}, which no supported op uses`);
  }
}

function checkName(value: unknown, what: string): string {
  if (typeof value !== 'string') fail(`${what} has no name`);
  return value as string;
}

/** Decodes and checks `bytes`; every problem is a RangeError saying where. */
export function readGraph(bytes: Uint8Array): CheckedGraph {
  const model: ModelProto = decodeModel(bytes);
  const opsetEntry = (model.opset_import ?? []).find((o) => (o.domain ?? '') === '' || o.domain === 'ai.onnx');
  if (!opsetEntry) fail('the model imports no ai.onnx opset');
  const opset = safeInt(opsetEntry!.version, 'the opset version');
  if (opset < 13 || opset > 21) fail(`Expected an ai.onnx opset from 13 to 21 but the model uses ${opset}`);
  const graph: GraphProto | undefined = model.graph;
  if (!graph) return fail('the model has no graph');
  const initializers = new Map<string, Constant>();
  for (const [i, t] of (graph.initializer ?? []).entries()) {
    const name = checkName(t.name, `initializer ${i}`);
    if (initializers.has(name)) fail(`two initializers are named ${quoted(name)}`);
    initializers.set(name, readTensor(t, `initializer ${quoted(name)}`));
  }
  if ((graph.sparse_initializer ?? []).length > 0) fail('sparse initializers are not supported');
  const inputs = (graph.input ?? []).filter((v) => !initializers.has(v.name ?? ''));
  if (inputs.length !== 1) fail(`Expected one graph input (besides initializers) but the graph has ${inputs.length}`);
  const inputInfo = inputs[0]!;
  const tensorType = inputInfo.type?.tensor_type;
  const inputDims = (tensorType?.shape?.dim ?? []).map((d, i) => {
    if (d.dim_value === undefined) return null;
    const n = safeInt(d.dim_value, `input dimension ${i}`);
    if (n < 1 || n > MAX_ELEMENTS) fail(`the input's dimension ${i} is ${n}`);
    return n;
  });
  const input = { name: checkName(inputInfo.name, 'the graph input'), dims: inputDims, elemType: tensorType?.elem_type ?? DataType.FLOAT };
  const defined = new Set<string>([input.name, ...initializers.keys()]);
  const nodes: CheckedNode[] = (graph.node ?? []).map((n, index) => {
    const op = n.op_type ?? '';
    const label = n.name ? quoted(n.name) : `#${index} ${quoted(op)}`;
    if ((n.domain ?? '') !== '' && n.domain !== 'ai.onnx') fail(`node ${label} is op ${quoted(op)} of domain ${quoted(n.domain!)}; only the standard ai.onnx domain is supported`);
    const ins = n.input ?? [];
    for (const name of ins) {
      if (name !== '' && !defined.has(name)) fail(`node ${label} (${quoted(op)}) reads ${quoted(name)}, which no earlier node, initializer or the input defines (missing, or a cycle)`);
    }
    const outs = n.output ?? [];
    for (const name of outs) {
      if (name === '') continue;
      if (defined.has(name)) fail(`node ${label} (${quoted(op)}) writes ${quoted(name)}, which is already defined`);
      defined.add(name);
    }
    const attributes = new Map<string, AttributeValue>();
    for (const a of n.attribute ?? []) attributes.set(checkName(a.name, `an attribute of node ${label}`), readAttribute(a, `node ${label}`));
    return { label, name: n.name ?? '', op, inputs: [...ins], outputs: [...outs], attributes };
  });
  const outputs = (graph.output ?? []).map((o, i) => checkName(o.name, `graph output ${i}`));
  if (outputs.length === 0) fail('the graph has no outputs');
  for (const name of outputs) if (!defined.has(name)) fail(`the graph output ${quoted(name)} is never computed`);
  return { opset, input, outputs, initializers, nodes };
}

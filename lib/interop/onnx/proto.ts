/**
 * The ONNX messages, encoded and decoded by protobufjs from the official onnx.proto (vendored
 * beside this file): no hand-written wire format. The interfaces below name the fields tensorgrad
 * writes and reads, in the .proto's own snake_case; int64 fields arrive as decimal strings
 * (checked into safe integers by the reader) and may be given as numbers when writing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as protobuf from 'protobufjs';
import { PACKAGE_ROOT } from '../../paths';

/** TensorProto.DataType values tensorgrad reads or writes. */
export const DataType = {
  FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, STRING: 8, BOOL: 9,
  FLOAT16: 10, DOUBLE: 11, UINT32: 12, UINT64: 13, BFLOAT16: 16,
} as const;

export const DATA_TYPE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(DataType).map(([k, v]) => [v, k]));

/** AttributeProto.AttributeType. */
export const AttributeType = {
  UNDEFINED: 0, FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, SPARSE_TENSOR: 11, TYPE_PROTO: 13,
  FLOATS: 6, INTS: 7, STRINGS: 8, TENSORS: 9, GRAPHS: 10, SPARSE_TENSORS: 12, TYPE_PROTOS: 14,
} as const;

export const ATTRIBUTE_TYPE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(AttributeType).map(([k, v]) => [v, k]));

/** int64 as decoded (a decimal string) or as written (a number). */
export type Int64 = string | number;

export interface TensorProto {
  name?: string;
  dims?: Int64[];
  data_type?: number;
  float_data?: number[];
  int32_data?: number[];
  int64_data?: Int64[];
  double_data?: number[];
  raw_data?: Uint8Array;
  data_location?: number;
  external_data?: { key?: string; value?: string }[];
  segment?: unknown;
}

export interface AttributeProto {
  name?: string;
  type?: number;
  f?: number;
  i?: Int64;
  s?: Uint8Array;
  t?: TensorProto;
  g?: GraphProto;
  floats?: number[];
  ints?: Int64[];
  strings?: Uint8Array[];
  ref_attr_name?: string;
}

export interface DimensionProto {
  dim_value?: Int64;
  dim_param?: string;
}

export interface TypeProto {
  tensor_type?: { elem_type?: number; shape?: { dim?: DimensionProto[] } };
}

export interface ValueInfoProto {
  name?: string;
  type?: TypeProto;
  doc_string?: string;
}

export interface NodeProto {
  input?: string[];
  output?: string[];
  name?: string;
  op_type?: string;
  domain?: string;
  attribute?: AttributeProto[];
  doc_string?: string;
}

export interface GraphProto {
  node?: NodeProto[];
  name?: string;
  initializer?: TensorProto[];
  sparse_initializer?: unknown[];
  doc_string?: string;
  input?: ValueInfoProto[];
  output?: ValueInfoProto[];
  value_info?: ValueInfoProto[];
}

export interface OperatorSetIdProto {
  domain?: string;
  version?: Int64;
}

export interface ModelProto {
  ir_version?: Int64;
  opset_import?: OperatorSetIdProto[];
  producer_name?: string;
  producer_version?: string;
  domain?: string;
  model_version?: Int64;
  doc_string?: string;
  graph?: GraphProto;
  metadata_props?: { key?: string; value?: string }[];
  functions?: unknown[];
}

/** The vendored schema: next to this file in lib/, or under the package root from dist/. */
function protoFile(): string {
  const candidates = [path.join(__dirname, 'onnx.proto'), path.join(PACKAGE_ROOT, 'lib', 'interop', 'onnx', 'onnx.proto')];
  const found = candidates.find((file) => fs.existsSync(file));
  if (!found) throw new Error(`onnx: the ONNX schema onnx.proto is missing (looked in ${candidates.join(', ')})`);
  return found;
}

let modelType: protobuf.Type | null = null;

function model(): protobuf.Type {
  if (!modelType) {
    // keepCase: the fields keep the .proto's names (raw_data, op_type), as ONNX's docs write them.
    const root = new protobuf.Root().loadSync(protoFile(), { keepCase: true });
    modelType = root.lookupType('onnx.ModelProto');
  }
  return modelType;
}

export function encodeModel(message: ModelProto): Uint8Array {
  const type = model();
  const problem = type.verify(message);
  if (problem) throw new TypeError(`onnx: the model to write is not a valid ModelProto: ${problem}`);
  return type.encode(type.fromObject(message as Record<string, unknown>)).finish();
}

/**
 * Decodes bytes as a ModelProto. protobufjs checks every length against the bytes left and
 * bounds the nesting depth, so a hostile file costs at most its own size; its errors come back
 * as one RangeError saying where decoding stopped.
 */
export function decodeModel(bytes: Uint8Array): ModelProto {
  const type = model();
  let message: protobuf.Message;
  try {
    message = type.decode(bytes);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    // protobufjs says e.g. "index out of range: 12 + 10 > 20" or "invalid wire type 7 at offset 3".
    const known = /^(index out of range|invalid wire type|illegal|max depth exceeded|missing required|invalid)/.test(reason) ? reason : 'malformed protobuf';
    throw new RangeError(`onnx.importModel: the file is not a valid ONNX ModelProto: ${known}`);
  }
  return type.toObject(message, { longs: String, enums: Number, arrays: false, defaults: false }) as ModelProto;
}

/**
 * The event-file messages, encoded and decoded by protobufjs from tensorboard.proto (beside this
 * file, shipped in the package): no hand-written wire format. Field names keep the .proto's
 * snake_case; int64 steps are written from numbers and decoded into numbers.
 */
import * as path from 'node:path';
import * as protobuf from 'protobufjs';
import { PACKAGE_ROOT } from '../../paths';

export const PROTO_FILE = path.join(PACKAGE_ROOT, 'lib', 'interop', 'tensorboard', 'tensorboard.proto');

/** The first record of every event file (what TensorFlow's EventsWriter writes). */
export const FILE_VERSION = 'brain.Event:2';

export const SessionStatus = { STATUS_UNSPECIFIED: 0, START: 1, STOP: 2, CHECKPOINT: 3 } as const;
export const DataClass = { DATA_CLASS_UNKNOWN: 0, DATA_CLASS_SCALAR: 1, DATA_CLASS_TENSOR: 2, DATA_CLASS_BLOB_SEQUENCE: 3 } as const;
export const DataType = { DT_INVALID: 0, DT_FLOAT: 1, DT_DOUBLE: 2, DT_INT32: 3, DT_STRING: 7 } as const;

export interface HistogramProto {
  min: number;
  max: number;
  num: number;
  sum: number;
  sum_squares: number;
  bucket_limit: number[];
  bucket: number[];
}

export interface TensorProto {
  dtype?: number;
  tensor_shape?: { dim?: { size?: number; name?: string }[]; unknown_rank?: boolean };
  version_number?: number;
  tensor_content?: Uint8Array;
  float_val?: number[];
  double_val?: number[];
  int_val?: number[];
  string_val?: Uint8Array[];
}

export interface SummaryMetadata {
  plugin_data?: { plugin_name?: string; content?: Uint8Array };
  display_name?: string;
  summary_description?: string;
  data_class?: number;
}

export interface SummaryValue {
  tag: string;
  node_name?: string;
  metadata?: SummaryMetadata;
  simple_value?: number;
  histo?: HistogramProto;
  tensor?: TensorProto;
}

export interface SessionLog {
  status?: number;
  checkpoint_path?: string;
  msg?: string;
}

export interface Event {
  wall_time: number;
  step?: number;
  file_version?: string;
  summary?: { value: SummaryValue[] };
  session_log?: SessionLog;
}

let eventType: protobuf.Type | undefined;

/** The Event message type, parsed from tensorboard.proto on first use. */
export function eventMessage(): protobuf.Type {
  if (!eventType) {
    const root = new protobuf.Root().loadSync(PROTO_FILE, { keepCase: true });
    eventType = root.lookupType('tensorboard.Event');
  }
  return eventType;
}

export function encodeEvent(event: Event): Uint8Array {
  const type = eventMessage();
  return type.encode(type.fromObject(event as unknown as Record<string, unknown>)).finish();
}

/** Decodes one record's data; a malformed message is a RangeError naming `where`. */
export function decodeEvent(data: Uint8Array, where = 'event'): Event {
  const type = eventMessage();
  let message: protobuf.Message;
  try {
    message = type.decode(data);
  } catch (error) {
    throw new RangeError(`${where}: not an Event message (${(error as Error).message})`);
  }
  // Steps and dims are int64: numbers here (exact below 2^53, which a step count never reaches).
  const event = type.toObject(message, { longs: Number, defaults: false, arrays: false, oneofs: false }) as Event;
  // proto3 leaves zeros off the wire: a histogram reads back whole, its zero sums included.
  for (const value of event.summary?.value ?? []) if (value.histo) value.histo = { ...EMPTY_HISTOGRAM, ...value.histo };
  return event;
}

const EMPTY_HISTOGRAM: HistogramProto = { min: 0, max: 0, num: 0, sum: 0, sum_squares: 0, bucket_limit: [], bucket: [] };

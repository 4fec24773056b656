/**
 * onnx.exportModel: a model's evaluation-mode forward as a standard ONNX file. Each module is
 * written by its entry in the exporter table (layer-exporters.ts, recurrent-exporters.ts); the
 * weights become initializers; the batch dimension is symbolic ("batch"), so one file serves
 * every batch size.
 */
import { writeFileAtomic } from '../../io/atomic';
import { Embedding } from '../../nn/layers/embedding';
import { CharLM } from '../../nn/models/char-lm';
import { Module } from '../../nn/module';
import { Sequential } from '../../nn/sequential';
import { type Dim, GraphBuilder, type Value, valueInfo } from './graph-builder';
import { type AnyModule, type ExportContext, type Exported, exporterFor, isValue } from './exporters';
import { DataType, type ModelProto, encodeModel } from './proto';
import './layer-exporters';
import './recurrent-exporters';
import './conv-exporters';
import './padding-exporters';

/** The opsets the exporter writes (17 is what onnx 1.12's checker and PyTorch 1.13 know). */
export const MIN_OPSET = 17;
export const MAX_OPSET = 21;

export interface ExportOptions {
  /**
   * One sample's shape, without the batch dimension (which is added in front, named "batch"):
   * [784] for an MLP, [T] or [null] for a character LM's ids. A null or a string entry is a
   * dimension fixed only at run time (null is named dim_<i>).
   */
  inputShape: readonly (number | string | null)[];
  /** The ONNX opset, 17 (default) to 21. */
  opset?: number;
  /** The input's element type: float32, or int64 ids (the default when the model starts with an Embedding). */
  inputType?: 'float32' | 'int64';
  /** The graph input's name (default "input"). */
  inputName?: string;
  /** The output's name when the model has one (default "output"); named outputs keep their names. */
  outputName?: string;
  /** Also writes the file here, atomically. */
  file?: string;
  /** The graph's name (default the model's class name). */
  graphName?: string;
}

/** IR version of each opset (onnx/helper.py's VERSION_TABLE). */
function irVersion(opset: number): number {
  return opset <= 17 ? 8 : opset <= 20 ? 9 : 10;
}

function startsWithEmbedding(model: AnyModule): boolean {
  if (model instanceof Embedding || model instanceof CharLM) return true;
  return model instanceof Sequential && model.length > 0 && startsWithEmbedding(model[0]!);
}

function checkOptions(model: unknown, options: ExportOptions): { opset: number; shape: Dim[]; type: number } {
  if (!(model instanceof Module)) throw new TypeError(`onnx.exportModel: Expected a Module but received ${String(model)}`);
  if (typeof options !== 'object' || options === null) throw new TypeError('onnx.exportModel: Expected options { inputShape, opset }');
  const opset = options.opset ?? MIN_OPSET;
  if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new RangeError(`onnx.exportModel: Expected an opset from ${MIN_OPSET} to ${MAX_OPSET} but received ${String(options.opset)}`);
  }
  if (!Array.isArray(options.inputShape)) {
    throw new TypeError(`onnx.exportModel: Expected inputShape, one sample's shape such as [784], but received ${String(options.inputShape)}`);
  }
  const shape: Dim[] = ['batch'];
  options.inputShape.forEach((d, i) => {
    if (d === null) shape.push(`dim_${i + 1}`);
    else if (typeof d === 'string' && d !== '') shape.push(d);
    else if (typeof d === 'number' && Number.isSafeInteger(d) && d >= 1) shape.push(d);
    else throw new RangeError(`onnx.exportModel: Expected a positive integer, null or a name for inputShape[${i}] but received ${String(d)}`);
  });
  const inputType = options.inputType ?? (startsWithEmbedding(model) ? 'int64' : 'float32');
  if (inputType !== 'float32' && inputType !== 'int64') {
    throw new RangeError(`onnx.exportModel: Expected inputType "float32" or "int64" but received ${String(inputType)}`);
  }
  return { opset, shape, type: inputType === 'int64' ? DataType.INT64 : DataType.FLOAT };
}

/** Builds the ModelProto (as plain objects) of `model`. */
export function buildModelProto(model: AnyModule, options: ExportOptions): ModelProto {
  const { opset, shape, type } = checkOptions(model, options);
  const builder = new GraphBuilder(opset);
  const input = builder.addInput(options.inputName ?? 'input', shape, type);
  const path: string[] = [];
  const context: ExportContext = {
    builder,
    child(module, name, x) {
      path.push(name);
      try {
        return builder.within(name, () => run(module, x));
      } finally {
        path.pop();
      }
    },
  };
  const run = (module: AnyModule, x: Value): Exported => {
    const exporter = exporterFor(module);
    if (!exporter) {
      const where = path.length ? ` at ${path.join('.')}` : '';
      throw new TypeError(`onnx.exportModel: no ONNX exporter for ${module.constructor.name}${where}; register one with onnx.registerExporter(${module.constructor.name}, ...)`);
    }
    return exporter(module, x, context);
  };
  const result = run(model, input);
  const named: [string, Value][] = isValue(result) ? [[options.outputName ?? 'output', result]] : Object.entries(result);
  // An output that is the input itself (a model of Dropout alone) still needs a node.
  const outputs = named.map(([name, value]) => builder.rename(value, name));
  return {
    ir_version: irVersion(opset),
    opset_import: [{ domain: '', version: opset }],
    producer_name: 'tensorgrad',
    producer_version: '0.1.0',
    graph: {
      name: options.graphName ?? model.constructor.name,
      node: builder.nodes,
      initializer: builder.initializers,
      input: builder.inputs.map(valueInfo),
      output: outputs.map(valueInfo),
    },
  };
}

/** The ONNX file of `model` (its evaluation-mode forward) as bytes; also written to options.file. */
export function exportModel(model: AnyModule, options: ExportOptions): Uint8Array {
  const bytes = encodeModel(buildModelProto(model, options));
  if (options.file !== undefined) writeFileAtomic(options.file, bytes);
  return bytes;
}

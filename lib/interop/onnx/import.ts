/**
 * onnx.importModel: an ONNX file (as PyTorch's torch.onnx.export writes MLPs, CNNs and LSTMs) as
 * a trainable tensorgrad module. The graph is checked first (read-graph.ts), GELU's Erf pattern
 * fused (fuse-gelu.ts); each node becomes a step (import-ops.ts, import-conv-ops.ts): layers
 * with weights become child modules named after their initializers ("0.weight" → child "0", so
 * the state dict keeps PyTorch's keys), other float initializers become parameters, integer
 * ones constants. An op without an entry is an error naming it and its node.
 */
import * as fs from 'node:fs';
import { Tensor, formatShape } from '../../autograd/tensor';
import { Module } from '../../nn/module';
import { Parameter } from '../../nn/parameter';
import { DataType } from './proto';
import { CONV_OPS } from './import-conv-ops';
import { WHERE_OPS } from './import-where';
import { type ImportContext, OPS as BASE_OPS, type OpEntry, type Step, type Value, layerName } from './import-ops';
import { fuseGelu } from './fuse-gelu';
import { type CheckedGraph, type Constant, readGraph } from './read-graph';

/** Every op the importer knows, by ONNX op type. */
const OPS: Record<string, OpEntry> = { ...BASE_OPS, ...CONV_OPS, ...WHERE_OPS };

/** The op types importModel reads (Erf only inside GELU's pattern, so not listed). */
export const SUPPORTED_OPS: readonly string[] = [...Object.keys(OPS).filter((k) => k !== 'Erf'), 'Constant'].sort();

interface CompiledStep {
  run: Step;
  inputs: string[];
  outputs: string[];
  /** Input positions the step's layer took as its weights. */
  weights: readonly number[];
}

export class ImportedModel extends Module {
  /** The graph input's name and declared shape (null where symbolic, as the batch usually is). */
  readonly inputName: string;
  readonly inputShape: readonly (number | null)[];
  /** Whether the input holds integer ids (an int64 input, as in front of a Gather). */
  readonly integerInput: boolean;
  readonly outputNames: readonly string[];
  readonly #steps: CompiledStep[] = [];
  /** Values fixed at import: integer constants, and float ones that are not trained. */
  readonly #fixed = new Map<string, Value>();
  /** Float initializers read by plain ops, trained as parameters of this module. */
  readonly #params = new Map<string, Parameter>();

  constructor(graph: CheckedGraph) {
    super();
    this.inputName = graph.input.name;
    this.inputShape = graph.input.dims;
    this.integerInput = graph.input.elemType === DataType.INT64 || graph.input.elemType === DataType.INT32;
    this.outputNames = graph.outputs;
    const constants = new Map<string, Constant>(graph.initializers);
    const used = new Set<string>();
    const nodes = fuseGelu(graph.nodes, graph.initializers, graph.outputs);
    const producers = new Map(nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
    const read = new Set([...nodes.flatMap((n) => n.inputs), ...graph.outputs]);
    const context: ImportContext = {
      opset: graph.opset,
      inputRank: graph.input.dims.length,
      producer: (name) => producers.get(name),
      isRead: (name) => read.has(name),
      constant: (name) => constants.get(name),
      addLayer: (base, module) => {
        let name = layerName(base);
        for (let k = 1; used.has(name) || name in this; k++) name = `${layerName(base)}_${k}`;
        used.add(name);
        (this as unknown as Record<string, unknown>)[name] = module;
        return module;
      },
    };
    for (const node of nodes) {
      // Constant nodes, and Identity of a constant (PyTorch's shared running statistics), fold away.
      if (node.op === 'Constant') {
        const value = node.attributes.get('value');
        if (typeof value !== 'object' || Array.isArray(value) || node.attributes.size !== 1) {
          throw new RangeError(`onnx.importModel: node ${node.label} (Constant): only the "value" attribute (a tensor) is supported`);
        }
        constants.set(node.outputs[0]!, value);
        this.#fixed.set(node.outputs[0]!, value.kind === 'int' ? value : new Tensor(value.data, value.dims));
        continue;
      }
      if (node.op === 'Identity' && constants.has(node.inputs[0] ?? '')) {
        constants.set(node.outputs[0]!, constants.get(node.inputs[0]!)!);
        continue;
      }
      const entry = Object.prototype.hasOwnProperty.call(OPS, node.op) ? OPS[node.op] : undefined;
      if (!entry) {
        // Short enough to read whole: long names are cut, Erf (GELU's part only) is not listed.
        const op = node.op.length > 24 ? JSON.stringify(`${node.op.slice(0, 21)}...`) : node.op;
        const where = node.name.length > 40 ? JSON.stringify(`${node.name.slice(0, 37)}...`) : node.label;
        throw new TypeError(`onnx.importModel: unsupported op ${op} at node ${where}; supported: ${SUPPORTED_OPS.join(' ')}`);
      }
      this.#steps.push({ run: entry.compile(node, context), inputs: node.inputs, outputs: node.outputs, weights: entry.weights ?? [] });
    }
    for (const step of this.#steps) {
      // The initializers read by plain ops (not taken into a layer) become parameters.
      for (const [i, name] of step.inputs.entries()) {
        const c = constants.get(name);
        if (!c || step.weights.includes(i) || this.#fixed.has(name) || this.#params.has(name)) continue;
        if (c.kind === 'int') this.#fixed.set(name, c);
        else {
          const p = new Parameter(new Tensor(c.data, c.dims));
          this.#params.set(name, p);
          let key = layerName(name);
          for (let k = 1; key in this; k++) key = `${layerName(name)}_${k}`;
          (this as unknown as Record<string, unknown>)[key] = p;
        }
      }
    }
  }

  /** Every graph output by name. */
  run(x: Tensor): Record<string, Tensor> {
    if (!(x instanceof Tensor)) throw new TypeError(`ImportedModel: Expected a Tensor input but received ${typeof x}`);
    const dims = this.inputShape;
    if (x.ndim !== dims.length || dims.some((d, i) => d !== null && d !== x.shape[i])) {
      throw new RangeError(`ImportedModel: Expected an input [${dims.map((d) => d ?? '?').join(', ')}] but received ${formatShape(x.shape)}`);
    }
    const env = new Map<string, Value>(this.#fixed);
    for (const [name, p] of this.#params) env.set(name, p);
    env.set(this.inputName, x);
    for (const step of this.#steps) {
      const outs = step.run(step.inputs.map((name) => (name === '' ? undefined : env.get(name))));
      step.outputs.forEach((name, i) => {
        if (name !== '' && outs[i] !== undefined) env.set(name, outs[i]!);
      });
    }
    return Object.fromEntries(this.outputNames.map((name) => {
      const v = env.get(name);
      if (!(v instanceof Tensor)) throw new RangeError(`ImportedModel: the output "${name}" is ${v === undefined ? 'never computed' : 'integers, not a tensor'}`);
      return [name, v];
    }));
  }

  /** The first graph output. */
  forward(x: Tensor): Tensor {
    return this.run(x)[this.outputNames[0]!]!;
  }
}

/** Reads an ONNX file (a path or its bytes) into a trainable module. */
export function importModel(file: string | Uint8Array): ImportedModel {
  let bytes: Uint8Array;
  if (typeof file === 'string') bytes = new Uint8Array(fs.readFileSync(file));
  else if (file instanceof Uint8Array) bytes = file;
  else throw new TypeError(`onnx.importModel: Expected a file path or the file's bytes but received ${typeof file}`);
  return new ImportedModel(readGraph(bytes));
}

/** ONNX interop: export a model for ONNX Runtime and other runtimes, import one trained elsewhere. */
export { exportModel, buildModelProto, MIN_OPSET, MAX_OPSET } from './export';
export type { ExportOptions } from './export';
export { registerExporter } from './exporters';
export type { ExportContext, Exported, Exporter } from './exporters';
export { GraphBuilder, attr } from './graph-builder';
export type { Dim, Value } from './graph-builder';
export { importModel, ImportedModel, SUPPORTED_OPS } from './import';
export { MAX_ELEMENTS } from './read-graph';

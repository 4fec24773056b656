/** `tensorgrad export --onnx <run>`: a run's model (an MLP or CNN of train, a character LM of train-lm) as an ONNX file. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { exportModel } from '../interop/onnx/export';
import { integer } from './option-parsers';
import { loadTrainedModel } from './trained-model';
import type { Output } from '../train/run-dir';
import type { Command } from 'commander';

export interface ExportCommandOptions {
  /** A run directory or a model file. */
  onnx: string;
  /** The file to write (default: model.onnx in the run directory, or beside the model file). */
  out?: string;
  opset?: number;
  output?: Output;
}

/** Writes the file and says what it holds; returns its path. */
export function runExport(options: ExportCommandOptions): string {
  const out = options.output ?? process.stdout;
  const trained = loadTrainedModel(options.onnx, 'export');
  const isDir = fs.existsSync(options.onnx) && fs.statSync(options.onnx).isDirectory();
  const target = options.out ?? path.join(isDir ? options.onnx : path.dirname(trained.file), 'model.onnx');
  const opset = options.opset ?? 17;
  const inputShape = trained.kind === 'mlp' ? [trained.run.sizes[0]!] : ['time'];
  trained.model.eval();
  const bytes = exportModel(trained.model, { inputShape, opset, file: target });
  const signature = trained.kind === 'mlp'
    ? `input float32 [batch, ${inputShape[0]}]${trained.image ? ` (images [${trained.image.join(', ')}], unflattened in the graph)` : ''} → output [batch, ${trained.run.sizes.at(-1)}]`
    : `input int64 ids [batch, time] → logits [batch, time, ${trained.model.config.vocabSize}], h${trained.model.config.cell === 'lstm' ? ', c' : ''}`;
  out.write(`wrote ${target} (${bytes.length} bytes, ONNX opset ${opset}) from ${trained.file}: ${signature}\n`);
  return target;
}

export function addExportCommand(cli: Command): void {
  cli
    .command('export')
    .description('Export a trained model (a run directory of train or train-lm, or its .safetensors) as ONNX')
    .requiredOption('--onnx <run>', 'the run directory or model file to export')
    .option('--out <file>', 'the ONNX file to write (default: model.onnx in the run directory)')
    .option('--opset <n>', 'ONNX opset, 17 to 21', integer, 17)
    .action((options: { onnx: string; out?: string; opset: number }) => {
      runExport(options);
    });
}

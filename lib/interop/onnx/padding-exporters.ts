/**
 * The table entry of the padding layers (ZeroPad2d, ConstantPad2d, ReflectionPad2d and
 * ReplicationPad2d share their base class's): Pad in constant, reflect or edge mode. ONNX lists
 * the pads of every axis, the starts first ([0, 0, top, left, 0, 0, bottom, right]); the
 * layers' are [left, right, top, bottom].
 */
import { Pad2d } from '../../nn/layers/padding';
import { type Dim, attr, formatDims } from './graph-builder';
import { registerExporter } from './exporters';

// circular (ONNX's wrap, opset 19) has no layer here, as in PyTorch 1.13; listed so every mode maps.
const ONNX_MODE = { constant: 'constant', reflect: 'reflect', replicate: 'edge', circular: 'wrap' } as const;

registerExporter(Pad2d, (m, x, { builder: b }) => {
  if (x.shape.length !== 4 && x.shape.length !== 3) {
    throw new RangeError(`onnx.exportModel: ${m.toString()}${b.path ? ` at ${b.path}` : ''}: Expected an input [N, C, H, W] or [C, H, W] but received ${formatDims(x.shape)}`);
  }
  const [left, right, top, bottom] = m.padding;
  const lead = new Array<number>(x.shape.length - 2).fill(0);
  const starts = [...lead, top, left];
  const ends = [...lead, bottom, right];
  const grow = (d: Dim, by: number): Dim => (by === 0 ? d : typeof d === 'number' ? d + by : `${d}_padded`);
  const shape = x.shape.map((d, a) => grow(d, starts[a]! + ends[a]!));
  const inputs = [x.name, b.int64('pads', [...starts, ...ends])];
  if (m.mode === 'constant' && m.value !== 0) inputs.push(b.scalar('value', m.value));
  return b.op('Pad', inputs, shape, { mode: attr.string(ONNX_MODE[m.mode]) });
});

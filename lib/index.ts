/**
 * tensorgrad: neural-network training for Node.js. Tensors with reverse-mode autograd
 * (lib/autograd) over the kernel contract (lib/backend): the native C++ kernels, their
 * TypeScript reference twins, and the checked backend that runs both.
 */
export * from './backend';
export * from './autograd';
/** autograd.Function (user-defined ops), autograd.gradcheck, autograd.noGrad, … as torch.autograd. */
export * as autograd from './autograd/namespace';
/** Mixed precision: amp.autocast('bfloat16', fn), amp.toBfloat16, amp.fromBfloat16 (docs/mixed-precision.md). */
export * as amp from './autograd/amp';
export * as nn from './nn-exports';
export * as data from './data';
export * as io from './io';
export * as optim from './optim';
/** TensorBoard event files: SummaryWriter, readEventFile, the TFRecord framing and histograms. */
export * as tensorboard from './interop/tensorboard';
/** ONNX export and import (onnx.exportModel, onnx.importModel). */
export * as onnx from './interop/onnx';
export * from './train';
export * as distributed from './distributed';

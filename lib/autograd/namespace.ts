/**
 * The `autograd` namespace of the public index, shaped like torch.autograd: user-defined ops
 * (autograd.Function) with the tools around the tape. Function stays out of the top level,
 * where it would shadow JavaScript's own Function in `import { … } from 'tensorgrad'`.
 */
export { Function, FunctionContext } from './function';
export type { InputGradients } from './function';
export { backward } from './backward';
export { noGrad, isGradEnabled } from './grad-mode';
export { gradcheck, directionalGradcheck } from './gradcheck';
export type { GradcheckOptions, GradcheckResult } from './gradcheck';
export { graphOf } from './graph';
export type { Graph, GraphNode } from './graph';
export { toDot } from './dot';

export { Optimizer } from './optimizer';
export type { BaseHyper, OptimizerStateDict, ParamGroup, ParamGroupSpec, ParamState, StateValue } from './optimizer';
export * as lrScheduler from './lr-scheduler';

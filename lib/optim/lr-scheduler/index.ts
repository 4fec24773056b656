export { LRScheduler } from './scheduler';
export type { SchedulerStateDict } from './scheduler';
export { CosineAnnealingLR, ExponentialLR, InverseTimeLR, LambdaLR, MultiStepLR, StepLR } from './schedules';
export { LinearWarmup } from './warmup';
export { ReduceLROnPlateau } from './plateau';
export type { PlateauOptions, PlateauState } from './plateau';

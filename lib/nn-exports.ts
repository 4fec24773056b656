/**
 * The public `nn` namespace: the layers of lib/nn, and SyncBatchNorm, which lives in
 * lib/distributed (it needs the process group, a layer above nn) and is offered beside
 * BatchNorm1d as PyTorch offers nn.SyncBatchNorm.
 */
export * from './nn';
export { SyncBatchNorm } from './distributed/sync-batch-norm';
export type { SyncBatchNormOptions } from './distributed/sync-batch-norm';

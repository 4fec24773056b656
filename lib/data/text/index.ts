export { CharVocab } from './char-vocab';
export { bpttBatches } from './bptt-batches';
export type { BpttBatch } from './bptt-batches';

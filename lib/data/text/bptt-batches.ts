/**
 * Batches for teacher forcing with truncated backpropagation through time: the text is cut into
 * `batchSize` contiguous streams (row b reads stream b), and batch k holds the next `seqLength`
 * characters of every stream. The input at each step is the true character, the target the one
 * after it; row b of batch k + 1 continues where row b of batch k stopped, so the hidden state
 * carried from one batch to the next (detached: gradients stop at the batch boundary) has seen
 * the text that precedes it.
 */
export interface BpttBatch {
  /** Character ids [batchSize, steps], row-major. */
  inputs: Int32Array;
  /** The next character of each input, [batchSize, steps]. */
  targets: Int32Array;
  batchSize: number;
  /** seqLength, or fewer in the last batch. */
  steps: number;
}

function positive(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new RangeError(`bpttBatches: Expected a positive integer for ${name} but received ${String(value)}`);
  }
  return value;
}

export function bpttBatches(ids: Int32Array, batchSize: number, seqLength: number): BpttBatch[] {
  if (!(ids instanceof Int32Array)) throw new TypeError('bpttBatches: Expected the character ids as an Int32Array');
  positive('batchSize', batchSize);
  positive('seqLength', seqLength);
  // Each stream needs one more character than it has inputs: its last target.
  const streamLength = Math.floor((ids.length - 1) / batchSize);
  if (streamLength < 1) {
    throw new RangeError(`bpttBatches: Expected at least batchSize + 1 = ${batchSize + 1} characters but the text has ${ids.length}`);
  }
  const batches: BpttBatch[] = [];
  for (let start = 0; start < streamLength; start += seqLength) {
    const steps = Math.min(seqLength, streamLength - start);
    const inputs = new Int32Array(batchSize * steps);
    const targets = new Int32Array(batchSize * steps);
    for (let b = 0; b < batchSize; b++) {
      const from = b * streamLength + start;
      inputs.set(ids.subarray(from, from + steps), b * steps);
      targets.set(ids.subarray(from + 1, from + steps + 1), b * steps);
    }
    batches.push({ inputs, targets, batchSize, steps });
  }
  return batches;
}

// The Trainer callbacks of a distributed run (ranks/trainer-hooks.cjs, 2 ranks, 3 epochs of 8
// batches asked): SyncGradients leaves the same gradients on every rank before the optimizer's
// step; GlobalEpochRecord makes the epoch record the job's (loss and accuracy the means of what
// each rank measured, samples/s the sum); AgreeOnStopping stops rank 0 at the batch where rank 1
// alone decided to stop (epoch 1, batch 2), naming rank 1.
import { beforeAll, expect, it } from 'vitest';
import { describeWithPeers } from '../peers';
import { type MpiRun, byRank, mpirun } from './mpirun';

describeWithPeers('mpi', 'Trainer callbacks on 2 ranks', () => {
  let run: MpiRun;
  let fit: Array<Record<string, unknown>>;
  beforeAll(async () => {
    run = await mpirun(2, 'trainer-hooks.cjs');
    fit = [0, 1].map((rank) => byRank(run, rank)['fit']!);
  }, 120_000);

  it('SyncGradients: the gradients the optimizer sees are the same on both ranks', () => {
    expect(run.status, run.stderr).toBe(0);
    for (const r of fit) expect(r['gradientsAgree']).toBe(true);
  });

  it('GlobalEpochRecord: loss and accuracy the means over the ranks, samples/s the sum, the same record on both', () => {
    const [zero, one] = fit as Array<{ history: number[][]; local: number[] }>;
    expect(one!.history).toEqual(zero!.history);
    // local: rank 0's epochs then rank 1's, each [loss, accuracy, samples/s] as the rank measured it.
    const epochs = zero!.history.length;
    const local = (rank: number, epoch: number) => zero!.local.slice((rank * epochs + epoch) * 3, (rank * epochs + epoch) * 3 + 3);
    for (let e = 0; e < epochs; e++) {
      const [a, b] = [local(0, e), local(1, e)];
      const [loss, accuracy, rate] = zero!.history[e]!;
      expect(loss).toBe((a[0]! + b[0]!) / 2);
      expect(accuracy).toBe((a[1]! + b[1]!) / 2);
      expect(rate).toBe(a[2]! + b[2]!);
      // The ranks trained on different shards: their own figures differ.
      expect(a[0]).not.toBe(b[0]);
    }
  });

  it('AgreeOnStopping: a stop decided on rank 1 alone stops rank 0 at the same batch, naming rank 1', () => {
    for (const r of fit) {
      expect(r['batchesPerEpoch']).toBe(8); // 64 samples, 32 per rank, batch 4
      expect(r['epochs']).toBe(2);
      expect(r['batchesRun']).toEqual([8, 3]); // epoch 1 ends after its batch 2
    }
    expect(fit[1]!['stopped']).toBe('rank 1 wants to stop');
    expect(fit[0]!['stopped']).toBe('rank 1 stopped training (its reason is in its own output)');
  });
});

/**
 * Checks that every rank holds the same description (a model's parameter names, shapes and
 * dtypes, say) before collectives that trust it: each rank's digest is gathered, and any rank
 * whose digest differs from rank 0's is named in the error every rank throws.
 */
import type { ProcessGroup } from './process-group';

/** FNV-1a of the string's UTF-16 code units: 32 bits, exact in a double. */
function digest(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export function agreeAcrossRanks(group: ProcessGroup, fn: string, what: string, description: string): void {
  const all = group.allgather(new Float64Array([digest(description), description.length]));
  const differing: number[] = [];
  for (let r = 1; r < group.size; r++) {
    if (all[2 * r] !== all[0] || all[2 * r + 1] !== all[1]) differing.push(r);
  }
  if (differing.length > 0) {
    throw new Error(
      `${fn}: Expected the same ${what} on every rank but rank${differing.length > 1 ? 's' : ''} ${differing.join(', ')} ` +
        `differ${differing.length > 1 ? '' : 's'} from rank 0 (this is rank ${group.rank}: ${description.length > 300 ? `${description.slice(0, 300)}…` : description})`,
    );
  }
}

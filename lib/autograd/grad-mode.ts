/** Whether ops record themselves on the tape: noGrad(fn) turns recording off while fn runs. */

let disabled = 0;

export function isGradEnabled(): boolean {
  return disabled === 0;
}

/**
 * Runs fn without recording any op: its results have no history and need no gradient. fn must
 * be synchronous: the tape is shared, so recording cannot stay off across an await.
 */
export function noGrad<T>(fn: () => T): T {
  disabled++;
  let result: T;
  try {
    result = fn();
  } finally {
    disabled--;
  }
  if (result instanceof Promise) {
    throw new TypeError('noGrad: Expected a synchronous function but it returned a Promise; wrap the synchronous parts instead');
  }
  return result;
}

// Autograd tests run on each backend by selecting it for the whole describe block.
import { afterAll, beforeAll } from 'vitest';
import { getBackend, nativeInfo, setBackend } from '../../lib';
import type { Backend } from '../../lib';

export function backendNames(): ('reference' | 'native' | 'checked')[] {
  return nativeInfo().available ? ['reference', 'native', 'checked'] : ['reference'];
}

/** Selects `name` for the enclosing describe block and restores the previous backend after. */
export function useBackend(name: 'reference' | 'native' | 'checked'): void {
  let previous: Backend;
  beforeAll(() => {
    previous = getBackend();
    setBackend(name);
  });
  afterAll(() => {
    setBackend(previous);
  });
}

/**
 * Which backend the library computes with: TENSORGRAD_BACKEND=native|reference|checked, or
 * setBackend(). Without either, native when the addon loads, else the reference with one
 * warning that says why. Asking for native (or checked) explicitly throws when it cannot load.
 */
import type { Backend, BackendName, DTypeKernels, KernelsOf } from './backend';
import { BACKEND_NAMES } from './backend';
import { checkedBackend } from './checked';
import { loadAddon } from './addon';
import type { DType } from './declare';
import { nativeBackend, nativeKernels } from './native';
import { referenceBackend, referenceKernels } from './reference-backend';

let current: Backend | undefined;
let warned = false;

function isBackendName(value: unknown): value is BackendName {
  return typeof value === 'string' && (BACKEND_NAMES as readonly string[]).includes(value);
}

function byName(name: BackendName): Backend {
  switch (name) {
    case 'reference': return referenceBackend;
    case 'native': return nativeBackend();
    case 'checked': return checkedBackend(nativeBackend(), referenceBackend);
  }
}

function fromEnvironment(): Backend {
  const requested = process.env['TENSORGRAD_BACKEND'];
  if (requested !== undefined && requested !== '') {
    if (!isBackendName(requested)) {
      throw new TypeError(
        `TENSORGRAD_BACKEND: Expected one of ${BACKEND_NAMES.join(', ')} but received "${requested}"`,
      );
    }
    return byName(requested);
  }
  const load = loadAddon();
  if (load.addon) return nativeBackend();
  if (!warned) {
    warned = true;
    // One warning per process, naming every candidate and why it failed (docs/troubleshooting.md).
    process.emitWarning(`tensorgrad is using the slow reference backend: ${load.error}`, {
      code: 'TENSORGRAD_NATIVE_UNAVAILABLE',
      detail: 'docs/troubleshooting.md in the tensorgrad package explains each reason; ' +
        'TENSORGRAD_BACKEND=native makes this an error instead.',
    });
  }
  return referenceBackend;
}

/** The backend in use (chosen from the environment on first use). */
export function getBackend(): Backend {
  current ??= fromEnvironment();
  return current;
}

/** Switches backend by name, or to a Backend object (a test double, a wrapped backend). */
export function setBackend(choice: BackendName | Backend): Backend {
  if (isBackendName(choice)) {
    current = byName(choice);
  } else if (typeof choice === 'object' && choice !== null && isBackendName((choice as Backend).name)) {
    current = choice as Backend;
  } else {
    throw new TypeError(
      `setBackend: Expected one of ${BACKEND_NAMES.join(', ')} or a Backend but received ${
        typeof choice === 'string' ? `"${choice}"` : String(choice)
      }`,
    );
  }
  return current;
}

const bfloat16Tables = new WeakMap<Backend, KernelsOf<'bfloat16'>>();

/** The bfloat16 kernels that go with a backend: the addon's for native, the reference's otherwise, both compared for checked. */
function bfloat16For(backend: Backend): KernelsOf<'bfloat16'> {
  let kernels = bfloat16Tables.get(backend);
  if (!kernels) {
    kernels = backend.name === 'native' ? nativeKernels('bfloat16') : referenceKernels('bfloat16');
    bfloat16Tables.set(backend, kernels);
  }
  return kernels;
}

/**
 * The kernels for arrays of a dtype: float32 on the backend in use, float64 on the reference
 * loops whatever the backend (gradient checks in double while models train in float32),
 * bfloat16 on the backend's bfloat16 kernels. A kernel that does not declare the dtype throws a
 * TypeError naming the dtypes it declares. The table's arrays are typed for any dtype; each
 * kernel checks at run time that they are the dtype's.
 */
export function kernelsOf(dtype: DType): DTypeKernels {
  switch (dtype) {
    case 'float32': return getBackend() as DTypeKernels;
    case 'float64': return referenceKernels('float64') as DTypeKernels;
    case 'bfloat16': return bfloat16For(getBackend()) as DTypeKernels;
  }
}

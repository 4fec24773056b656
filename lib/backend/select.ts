/**
 * Which backend the library computes with: TENSORGRAD_BACKEND=native|reference|checked, or
 * setBackend(). Without either, native when the addon loads, else the reference with one
 * warning that says why. Asking for native (or checked) explicitly throws when it cannot load.
 */
import type { Backend, BackendName } from './backend';
import { BACKEND_NAMES } from './backend';
import { checkedBackend } from './checked';
import { loadAddon } from './addon';
import { nativeBackend } from './native';
import { referenceBackend } from './reference';

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

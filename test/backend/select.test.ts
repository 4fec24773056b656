// Choosing a backend: TENSORGRAD_BACKEND, setBackend(), and the fallback to the reference with
// one warning when the addon cannot load (each case on a fresh copy of the module graph).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { referenceOnly } from './backends';

type BackendModule = typeof import('../../lib/backend');

async function freshModule(env: Record<string, string | undefined>): Promise<BackendModule> {
  vi.resetModules();
  for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value as string);
  return import('../../lib/backend/index.js');
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('backend selection', () => {
  it.skipIf(referenceOnly)('defaults to native when the addon loads, without a warning', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const lib = await freshModule({ TENSORGRAD_BACKEND: undefined, TENSORGRAD_ADDON: undefined });
    expect(lib.getBackend().name).toBe('native');
    expect(warn).not.toHaveBeenCalled();
  });

  it.each(['reference', 'checked'] as const)('honours TENSORGRAD_BACKEND=%s', async (name) => {
    if (name === 'checked' && referenceOnly) return;
    const lib = await freshModule({ TENSORGRAD_BACKEND: name });
    expect(lib.getBackend().name).toBe(name);
  });

  it('rejects an unknown TENSORGRAD_BACKEND, naming the choices', async () => {
    const lib = await freshModule({ TENSORGRAD_BACKEND: 'cuda' });
    expect(() => lib.getBackend()).toThrow(
      new TypeError('TENSORGRAD_BACKEND: Expected one of native, reference, checked but received "cuda"'),
    );
  });

  it('falls back to the reference backend with one warning saying why', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const lib = await freshModule({ TENSORGRAD_BACKEND: undefined, TENSORGRAD_ADDON: '/nonexistent/tensorgrad.node' });
    expect(lib.getBackend().name).toBe('reference');
    expect(lib.getBackend().name).toBe('reference');
    expect(warn).toHaveBeenCalledTimes(1);
    const [message, options] = warn.mock.calls[0] as [string, { code: string }];
    expect(message).toContain('/nonexistent/tensorgrad.node: no such file');
    expect(message).toContain(`${process.platform}-${process.arch}`);
    expect(options.code).toBe('TENSORGRAD_NATIVE_UNAVAILABLE');
    expect(lib.nativeInfo()).toMatchObject({ available: false });
  });

  it.each(['native', 'checked'] as const)('throws instead when %s was asked for and the addon cannot load', async (name) => {
    const lib = await freshModule({ TENSORGRAD_BACKEND: name, TENSORGRAD_ADDON: '/nonexistent/tensorgrad.node' });
    expect(() => lib.getBackend()).toThrow(/native addon did not load.*\/nonexistent\/tensorgrad\.node: no such file/);
    expect(() => lib.setBackend(name)).toThrow(/native addon did not load/);
  });

  it('reports a file that is not a loadable addon', async () => {
    const lib = await freshModule({ TENSORGRAD_BACKEND: 'native', TENSORGRAD_ADDON: __filename });
    expect(() => lib.getBackend()).toThrow(/native addon did not load.*select\.test\.ts: /);
  });

  it('switches with setBackend by name or object, and refuses anything else', async () => {
    const lib = await freshModule({ TENSORGRAD_BACKEND: 'reference' });
    if (!referenceOnly) expect(lib.setBackend('native').name).toBe('native');
    expect(lib.setBackend('reference')).toBe(lib.referenceBackend);
    expect(lib.getBackend()).toBe(lib.referenceBackend);
    const wrapped = { ...lib.referenceBackend };
    expect(lib.setBackend(wrapped)).toBe(wrapped);
    expect(lib.getBackend()).toBe(wrapped);
    expect(() => lib.setBackend('gpu' as never)).toThrow(
      new TypeError('setBackend: Expected one of native, reference, checked or a Backend but received "gpu"'),
    );
    expect(() => lib.setBackend({} as never)).toThrow(TypeError);
  });
});

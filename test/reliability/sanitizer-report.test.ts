// scripts/sanitizer-report.js decides whether the sanitizer run passes: it must count ASan and
// UBSan reports, and leaks only when the addon's code allocated them.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const { reports } = createRequire(__filename)('../../scripts/sanitizer-report.js') as {
  reports(text: string, ours?: RegExp): string[];
};
const OURS = /tensorgrad\.node|\/native\//;

const leak = (frame: string) => `
=================================================================
==1==ERROR: LeakSanitizer: detected memory leaks

Direct leak of 64 byte(s) in 1 object(s) allocated from:
    #0 0x7f in __interceptor_malloc ../../../../src/libsanitizer/asan/asan_malloc_linux.cpp:69
    #1 0x7f in ${frame}
    #2 0xc4 in v8impl::FunctionCallbackWrapper::Invoke (/usr/bin/node+0xc45d94)

SUMMARY: AddressSanitizer: 64 byte(s) leaked in 1 allocation(s).
`;

describe('sanitizer-report', () => {
  it('counts a leak allocated from the addon, not one allocated by node alone', () => {
    expect(reports(leak('tg::gemm(...) /src/native/kernels/gemm.cc:12'), OURS)).toHaveLength(1);
    expect(reports(leak('foo (/x/build-asan/tensorgrad.node+0x1234)'), OURS)).toHaveLength(1);
    expect(reports(leak('node::Start() (/usr/bin/node+0x99)'), OURS)).toHaveLength(0);
    expect(reports(leak('node::Start() (/usr/bin/node+0x99)'))).toHaveLength(1); // without a filter, every leak
  });

  it('counts every AddressSanitizer error and UBSan runtime error', () => {
    const text = [
      '==7==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x6020',
      '/src/native/kernels/layout.cc:23:16: runtime error: null pointer passed as argument 1',
      'an ordinary line',
    ].join('\n');
    expect(reports(text)).toHaveLength(2);
    expect(reports('all tests passed\n')).toHaveLength(0);
  });

  it('treats a LeakSanitizer failure without a report as a failure', () => {
    expect(reports('==9==LeakSanitizer has encountered a fatal error.\n==9==ERROR: LeakSanitizer: unknown\n')).toHaveLength(1);
  });
});

// Says, once per test run, which addon the tests load and which backends they run on, so that
// a run on the reference backend alone cannot pass unnoticed.
import { nativeInfo } from '../../lib/backend';
import { backendLabels } from '../backend/backends';

export default function setup(): void {
  const info = nativeInfo();
  const addon = info.available
    ? `native addon ${info.path} (SIMD ${info.simd}, N-API ${info.napiVersion})`
    : `NO native addon: ${info.error}`;
  process.stdout.write(`\ntensorgrad tests: ${addon}\ntensorgrad tests: kernel suite runs on ${backendLabels().join(', ')}\n\n`);
}

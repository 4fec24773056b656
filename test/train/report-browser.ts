// Headless Chromium on a report file: its DOM as the browser parsed it, or a screenshot. Call
// only inside a test body guarded by itWithPeers('chromium', …): nothing runs at collection.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const CHROMIUM = '/usr/bin/chromium';

/** Chromium's stdout and its log (stderr); throws when it fails or times out. */
function chromium(profile: string, args: string[], file: string): { stdout: string; log: string } {
  const run = spawnSync(CHROMIUM, [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, '--enable-logging=stderr', '--v=0', ...args, `file://${file}`,
  ], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  if (run.error || run.status !== 0) throw new Error(`chromium ${args.join(' ')} failed (${run.error?.message ?? `status ${run.status}`}): ${run.stderr.slice(-2000)}`);
  return { stdout: run.stdout, log: run.stderr };
}

/** The page's DOM after Chromium parsed it (tables get their tbody, entities are decoded once). */
export function renderedDom(file: string, scratch: string): string {
  return chromium(path.join(scratch, 'profile-dom'), ['--dump-dom'], file).stdout;
}

/** A PNG screenshot of the page (window 1200 wide); returns its bytes and Chromium's log. */
export function screenshot(file: string, scratch: string, height = 2200): { png: Buffer; log: string } {
  const shot = path.join(scratch, `${path.basename(file, '.html')}.png`);
  const { log } = chromium(path.join(scratch, 'profile-shot'), [`--window-size=1200,${height}`, `--screenshot=${shot}`], file);
  return { png: fs.readFileSync(shot), log };
}

/** The text of each element whose start tag matches `open` (a regular expression source). */
export function texts(dom: string, open: string): string[] {
  return [...dom.matchAll(new RegExp(`<${open}[^>]*>([^<]*)<`, 'g'))].map((m) => m[1]!);
}

/**
 * The optional peers some tests compare against (PyTorch, numpy, Chromium, the Fashion-MNIST
 * files, …). test/setup/probe-peers.ts probes them once per run and hands the answers to every
 * test file, so asking costs nothing at collection time. A suite that needs a missing peer is
 * registered as one skipped test whose name says why, and its body never runs.
 *
 * TENSORGRAD_TEST_ABSENT_PEERS=all (or a comma list such as torch,numpy) makes peers count as
 * absent although installed: .ci/run uses it to test the path of a machine without them.
 */
import { describe, inject, it } from 'vitest';
import { PEERS, type Peer, type PeerReport } from './peer-list';

export { PEERS, type Peer };

declare module 'vitest' {
  export interface ProvidedContext {
    peers: PeerReport;
  }
}

/** Why `peer` is absent, or undefined when it is there. */
export function peerMissing(peer: Peer): string | undefined {
  const report = inject('peers');
  if (report === undefined) throw new Error('test/peers: the peer probe did not run (vitest.config globalSetup)');
  return report[peer] ?? undefined;
}

export function hasPeer(peer: Peer): boolean {
  return peerMissing(peer) === undefined;
}

/** The first reason any of `peers` is absent. */
function firstMissing(peers: readonly Peer[]): string | undefined {
  for (const peer of peers) {
    const reason = peerMissing(peer);
    if (reason !== undefined) return `needs ${PEERS[peer].what}: ${reason}`;
  }
  return undefined;
}

/**
 * `describe(title, body)` when every peer is present; otherwise a suite holding one skipped test
 * named after the reason, and a warning on the console. The body is never called then.
 */
export function describeWithPeers(peers: Peer | readonly Peer[], title: string, body: () => void): void {
  const reason = firstMissing(typeof peers === 'string' ? [peers] : peers);
  if (reason === undefined) {
    describe(title, body);
    return;
  }
  console.warn(`${title}: SKIPPED, ${reason}`);
  describe(title, () => {
    it.skip(`skipped: ${reason}`, () => {});
  });
}

/** `it(title, body)` when every peer is present; otherwise a skipped test named after the reason. */
export function itWithPeers(peers: Peer | readonly Peer[], title: string, body: () => void | Promise<void>, timeout?: number): void {
  const reason = firstMissing(typeof peers === 'string' ? [peers] : peers);
  if (reason === undefined) {
    it(title, body, timeout);
    return;
  }
  console.warn(`${title}: SKIPPED, ${reason}`);
  it.skip(`${title} (skipped: ${reason})`, () => {});
}

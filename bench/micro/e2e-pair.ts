/** Two E2e endpoints (src/crypto/e2e) with an acknowledged key between them: the steady state. */
import { randomBytes } from 'node:crypto';
import { E2e, type E2eAlgorithmId, type SourceKeyLookup } from '../../src/crypto/e2e/index.js';
import type { NodeIdentity } from '../../src/identity/keys.js';
import { identity, ipv6Packet } from './fixtures.js';
import { must } from './harness.js';

export interface E2ePair {
  readonly src: NodeIdentity;
  readonly dst: NodeIdentity;
  readonly sender: E2e;
  readonly receiver: E2e;
  /** The receiver's view of the routing table: the sender's Ed25519 key by overlay address. */
  readonly lookup: SourceKeyLookup;
}

export function e2ePair(algorithm: E2eAlgorithmId): E2ePair {
  const src = identity(0x11);
  const dst = identity(0x22);
  const lookup: SourceKeyLookup = (address) =>
    Buffer.from(address).equals(Buffer.from(src.address)) ? src.publicKey : undefined;
  return {
    src,
    dst,
    sender: new E2e({ identity: src, algorithm, randomBytes }),
    receiver: new E2e({ identity: dst, algorithm, randomBytes }),
    lookup,
  };
}

/** Sends one packet each way of the key exchange, so later frames carry no ephemeral key. */
export function acknowledge(p: E2ePair, now = 0): void {
  const first = must(p.sender.seal(p.dst, 64, 0, ipv6Packet(p.src, p.dst), now), 'first seal');
  must(p.receiver.open(first.frame, now, p.lookup), 'first open');
  for (let c = p.receiver.pollControl(); c !== undefined; c = p.receiver.pollControl()) {
    p.sender.open(c.frame, now, (a) =>
      Buffer.from(a).equals(Buffer.from(p.dst.address)) ? p.dst.publicKey : undefined,
    );
  }
}

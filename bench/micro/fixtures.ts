/** Inputs shared by the micro-benchmark groups: reproducible random bytes, identities, packets. */
import { identityFromSeed, type NodeIdentity, type PublicIdentity } from '../../src/identity/keys.js';

/** The packet size the seal/open benchmarks use: a full TUN packet on a 1500-byte underlay. */
export const PACKET_BYTES = 1400;

/** A seeded byte source (mulberry32): the same tables and keys on every run, not for secrets. */
export function seededBytes(seed: number): (n: number) => Uint8Array {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 4) {
      const v = next();
      for (let k = 0; k < 4 && i + k < n; k++) out[i + k] = (v >>> (8 * k)) & 0xff;
    }
    return out;
  };
}

/** A node identity from a one-byte seed pattern. */
export function identity(seedByte: number): NodeIdentity {
  return identityFromSeed(new Uint8Array(32).fill(seedByte));
}

/** A minimal IPv6 packet of `bytes` bytes from `src` to `dst` (next header 59: no payload parsing). */
export function ipv6Packet(src: PublicIdentity, dst: PublicIdentity, bytes = PACKET_BYTES): Uint8Array {
  const p = new Uint8Array(bytes);
  p[0] = 0x60;
  p[4] = (bytes - 40) >> 8;
  p[5] = (bytes - 40) & 0xff;
  p[6] = 59;
  p.set(src.address, 8);
  p.set(dst.address, 24);
  return p;
}

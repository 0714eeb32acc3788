/**
 * Route digests: a set of announcements (prefix, seqno, metric) summarized as a count and the XOR
 * of 64-bit hashes, so that adding and removing one announcement are the same O(1) step and two
 * sides that hold the same set hold the same digest. The hash is part of the protocol
 * (docs/protocol/routing-messages.md, "Route Digest"): both ends must compute it bit for bit.
 */
import type { Prefix } from '../wire/babel/types.js';

export interface Digest {
  count: number;
  hi: number;
  lo: number;
}

export function emptyDigest(): Digest {
  return { count: 0, hi: 0, lo: 0 };
}

function word(b: Uint8Array, off: number): number {
  return ((b[off] ?? 0) << 24) | ((b[off + 1] ?? 0) << 16) | ((b[off + 2] ?? 0) << 8) | (b[off + 3] ?? 0);
}

function step(h: number, w: number, mult: number): number {
  const x = Math.imul(h ^ w, mult);
  return x ^ (x >>> 16);
}

/** MurmurHash3's 32-bit finalizer. */
function fmix(h: number): number {
  let x = h ^ (h >>> 16);
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** One lane of the announcement hash over the six words: address (4), plen·seqno, metric. */
function lane(prefix: Prefix, seqno: number, metric: number, seed: number, mult: number): number {
  let h = seed;
  for (let off = 0; off < 16; off += 4) h = step(h, word(prefix.addr, off), mult);
  h = step(h, ((prefix.plen & 0xff) << 16) | (seqno & 0xffff), mult);
  h = step(h, metric & 0xffff, mult);
  return fmix(h);
}

/** Adds an announcement to `d`, or removes it (the same XOR; `delta` moves the count). */
export function toggle(d: Digest, prefix: Prefix, seqno: number, metric: number, delta: 1 | -1): void {
  d.count += delta;
  d.hi = (d.hi ^ lane(prefix, seqno, metric, 0x243f6a88, 0x9e3779b1)) >>> 0;
  d.lo = (d.lo ^ lane(prefix, seqno, metric, 0x85a308d3, 0x7feb352d)) >>> 0;
}

export function sameDigest(a: Digest, count: number, hi: number, lo: number): boolean {
  return a.count === count && a.hi === hi && a.lo === lo;
}

/**
 * Addresses and prefixes on the wire (RFC 8966 §4.1.5): how many bytes each Address Encoding
 * takes, prefix compression against the per-AE default prefix, and the argument checks the
 * encoder runs before it writes one.
 */
import {
  AE_IPV4_BYTES,
  AE_IPV6_BYTES,
  AE_LINK_LOCAL_PLEN,
  AE_LINK_LOCAL_WIRE_BYTES,
  AE_MAX_PLEN_IPV4,
  AE_MAX_PLEN_IPV6,
} from './constants.js';
import { AE, type BabelDecodeErrorCode, type Prefix } from './types.js';

/** The implied first half of every AE 3 (link-local) address: fe80::/64. */
const LINK_LOCAL_HEAD = Uint8Array.of(0xfe, 0x80, 0, 0, 0, 0, 0, 0);

const EMPTY = new Uint8Array(0);

/** True for the four Address Encodings RFC 8966 defines (0–3). */
export function isKnownAe(ae: number): ae is AE {
  return ae === AE.Wildcard || ae === AE.IPv4 || ae === AE.IPv6 || ae === AE.LinkLocalIPv6;
}

/** Returns the length of a decoded address for a known AE: 0, 4 or 16 bytes. */
export function aeAddressBytes(ae: AE): number {
  if (ae === AE.Wildcard) return 0;
  return ae === AE.IPv4 ? AE_IPV4_BYTES : AE_IPV6_BYTES;
}

/** Returns the number of bytes that hold `plen` bits: ceil(plen / 8). */
export function prefixBytes(plen: number): number {
  return (plen + 7) >> 3;
}

/** Clears every bit of `addr` past `plen`, in place, and returns `addr`. */
export function maskInPlace(addr: Uint8Array, plen: number): Uint8Array {
  const full = plen >> 3;
  const rem = plen & 7;
  let i = full;
  if (rem !== 0 && i < addr.length) {
    addr[i] = addr[i]! & (0xff << (8 - rem)) & 0xff;
    i++;
  }
  addr.fill(0, i);
  return addr;
}

export type PrefixRead =
  | { readonly ok: true; readonly addr: Uint8Array; readonly wireBytes: number }
  | { readonly ok: false; readonly code: BabelDecodeErrorCode; readonly message: string };

function bad(code: BabelDecodeErrorCode, message: string): PrefixRead {
  return { ok: false, code, message };
}

/**
 * Reads a prefix of `plen` bits for a known AE from `b[off .. off + avail)`, copying `omitted`
 * leading bytes from `defaultPrefix` (the last prefix of the same AE that carried the
 * default-prefix flag in this packet). Returns the full, masked address and the bytes consumed.
 * Only Update TLVs pass a non-zero `omitted`.
 */
export function readPrefix(
  b: Uint8Array,
  off: number,
  avail: number,
  ae: AE,
  plen: number,
  omitted: number,
  defaultPrefix: Uint8Array | undefined,
): PrefixRead {
  const pb = prefixBytes(plen);
  switch (ae) {
    case AE.Wildcard:
      if (plen !== 0) return bad('bad-plen', `wildcard AE with plen ${plen} (must be 0)`);
      if (omitted !== 0) return bad('bad-omitted', `wildcard AE with omitted ${omitted} (must be 0)`);
      return { ok: true, addr: EMPTY, wireBytes: 0 };
    case AE.IPv4:
    case AE.IPv6: {
      const size = aeAddressBytes(ae);
      const maxPlen = ae === AE.IPv4 ? AE_MAX_PLEN_IPV4 : AE_MAX_PLEN_IPV6;
      if (plen > maxPlen) return bad('bad-plen', `plen ${plen} exceeds ${maxPlen} for AE ${ae}`);
      if (omitted > pb) return bad('bad-omitted', `omitted ${omitted} exceeds the ${pb} prefix bytes`);
      if (omitted > 0 && defaultPrefix === undefined) {
        return bad('bad-omitted', `omitted ${omitted} but no default prefix for AE ${ae} in this packet`);
      }
      const wire = pb - omitted;
      if (wire > avail) return bad('tlv-too-short', `prefix needs ${wire} bytes, ${avail} left in the TLV`);
      const addr = new Uint8Array(size);
      if (omitted > 0) addr.set(defaultPrefix!.subarray(0, omitted));
      addr.set(b.subarray(off, off + wire), omitted);
      return { ok: true, addr: maskInPlace(addr, plen), wireBytes: wire };
    }
    case AE.LinkLocalIPv6: {
      // AE 3 has no compression: Omitted is ignored, as babeld and Wireshark do.
      if (plen < AE_LINK_LOCAL_PLEN || plen > AE_MAX_PLEN_IPV6) {
        return bad('bad-plen', `plen ${plen} outside ${AE_LINK_LOCAL_PLEN}..${AE_MAX_PLEN_IPV6} for AE 3`);
      }
      const wire = pb - AE_LINK_LOCAL_WIRE_BYTES;
      if (wire > avail) return bad('tlv-too-short', `prefix needs ${wire} bytes, ${avail} left in the TLV`);
      const addr = new Uint8Array(AE_IPV6_BYTES);
      addr.set(LINK_LOCAL_HEAD);
      addr.set(b.subarray(off, off + wire), AE_LINK_LOCAL_WIRE_BYTES);
      return { ok: true, addr: maskInPlace(addr, plen), wireBytes: wire };
    }
  }
}

/** Reads a full address (IHU, Next Hop) for a known AE: 0, 4, 16 or 8 (AE 3) bytes on the wire. */
export function readAddress(b: Uint8Array, off: number, avail: number, ae: AE): PrefixRead {
  if (ae === AE.LinkLocalIPv6) return readPrefix(b, off, avail, ae, AE_MAX_PLEN_IPV6, 0, undefined);
  const bits = aeAddressBytes(ae) * 8;
  return readPrefix(b, off, avail, ae, bits, 0, undefined);
}

/** Returns how many bytes a prefix takes on the wire with `omitted` leading bytes left out. */
export function prefixWireBytes(prefix: Prefix, omitted: number): number {
  if (prefix.ae === AE.LinkLocalIPv6) return prefixBytes(prefix.plen) - AE_LINK_LOCAL_WIRE_BYTES;
  return prefixBytes(prefix.plen) - omitted;
}

/** Writes the wire bytes of a checked prefix at `off` (masked, `omitted` bytes left out); returns the count. */
export function writePrefix(buf: Uint8Array, off: number, prefix: Prefix, omitted: number): number {
  const pb = prefixBytes(prefix.plen);
  const from = prefix.ae === AE.LinkLocalIPv6 ? AE_LINK_LOCAL_WIRE_BYTES : omitted;
  const n = pb - from;
  if (n <= 0) return 0;
  buf.set(prefix.addr.subarray(from, pb), off);
  const rem = prefix.plen & 7;
  if (rem !== 0) buf[off + n - 1] = buf[off + n - 1]! & (0xff << (8 - rem)) & 0xff;
  return n;
}

/** Writes a checked address (IHU, Next Hop); returns the bytes written. */
export function writeAddress(buf: Uint8Array, off: number, ae: AE, address: Uint8Array): number {
  const plen = aeAddressBytes(ae) * 8;
  return writePrefix(buf, off, { ae, plen, addr: address }, 0);
}

/** Returns how many leading bytes of `a` and `b` agree, up to `limit`. */
export function commonBytes(a: Uint8Array, b: Uint8Array, limit: number): number {
  let i = 0;
  while (i < limit && a[i] === b[i]) i++;
  return i;
}

/** Throws TypeError or RangeError, naming `name`, unless `address` is a full address for `ae`. */
export function checkAddress(ae: AE, address: Uint8Array, name: string): void {
  if (!isKnownAe(ae)) throw new RangeError(`${name}: unknown AE ${String(ae)}`);
  if (!(address instanceof Uint8Array)) throw new TypeError(`${name}: address must be a Uint8Array`);
  const size = aeAddressBytes(ae);
  if (address.length !== size) {
    throw new RangeError(`${name}: AE ${ae} address must be ${size} bytes, got ${address.length}`);
  }
  if (ae === AE.LinkLocalIPv6 && !LINK_LOCAL_HEAD.every((v, i) => address[i] === v)) {
    throw new RangeError(`${name}: AE 3 address must be in fe80::/64`);
  }
}

/** Throws TypeError or RangeError, naming `name`, unless `prefix` can be encoded. */
export function checkPrefix(prefix: Prefix, name: string): void {
  if (prefix === null || typeof prefix !== 'object') throw new TypeError(`${name} must be a Prefix`);
  checkAddress(prefix.ae, prefix.addr, name);
  const { ae, plen } = prefix;
  const max = ae === AE.Wildcard ? 0 : ae === AE.IPv4 ? AE_MAX_PLEN_IPV4 : AE_MAX_PLEN_IPV6;
  const min = ae === AE.LinkLocalIPv6 ? AE_LINK_LOCAL_PLEN : 0;
  if (!Number.isInteger(plen) || plen < min || plen > max) {
    throw new RangeError(`${name}: plen ${plen} outside ${min}..${max} for AE ${ae}`);
  }
}

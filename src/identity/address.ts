import { blake3 } from '@noble/hashes/blake3.js';

/** Length of an overlay address in bytes (IPv6). */
export const ADDRESS_BYTES = 16;
/** The overlay range every node address falls in: 400::/7. */
export const OVERLAY_PREFIX = Uint8Array.from([0x04, ...new Array<number>(15).fill(0)]);
export const OVERLAY_PREFIX_LEN = 7;
/** Each node owns the /64 that contains its address. */
export const NODE_SUBNET_LEN = 64;

function popcount8(b: number): number {
  let n = 0;
  for (let v = b; v !== 0; v &= v - 1) n++;
  return n;
}

/**
 * Returns the overlay address of an X25519 public key, the way Mycelium derives it, so one key
 * gives one address in both systems: 16 bytes of BLAKE3 XOF output, then byte 0 becomes
 * 0x04 | (popcount(h[0]) mod 2).
 */
export function addressFromX25519(publicKey: Uint8Array): Uint8Array {
  if (publicKey.length !== 32)
    throw new RangeError(`X25519 public key must be 32 bytes, got ${publicKey.length}`);
  const h = blake3(publicKey, { dkLen: ADDRESS_BYTES });
  h[0] = 0x04 | (popcount8(h[0]!) & 1);
  return h;
}

/** Returns a copy of `addr` with every bit past `plen` cleared. */
export function maskPrefix(addr: Uint8Array, plen: number): Uint8Array {
  const out = new Uint8Array(addr.length);
  const full = plen >> 3;
  out.set(addr.subarray(0, full));
  const rem = plen & 7;
  if (rem !== 0 && full < addr.length) out[full] = addr[full]! & (0xff << (8 - rem)) & 0xff;
  return out;
}

/** True when the first `plen` bits of `addr` equal those of `prefix`. */
export function prefixContains(prefix: Uint8Array, plen: number, addr: Uint8Array): boolean {
  const full = plen >> 3;
  for (let i = 0; i < full; i++) if (prefix[i] !== addr[i]) return false;
  const rem = plen & 7;
  if (rem === 0) return true;
  const mask = (0xff << (8 - rem)) & 0xff;
  return ((prefix[full]! ^ addr[full]!) & mask) === 0;
}

/** True for addresses in the overlay range 400::/7. */
export function isOverlayAddress(addr: Uint8Array): boolean {
  return addr.length === ADDRESS_BYTES && prefixContains(OVERLAY_PREFIX, OVERLAY_PREFIX_LEN, addr);
}

/** Formats 16 bytes as a canonical (RFC 5952) IPv6 string. */
export function formatIPv6(addr: Uint8Array): string {
  if (addr.length !== ADDRESS_BYTES)
    throw new RangeError(`IPv6 address must be 16 bytes, got ${addr.length}`);
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((addr[i]! << 8) | addr[i + 1]!);
  // Longest run of two or more zero groups becomes "::" (first one wins a tie).
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Parses an IPv6 address string into 16 bytes; returns undefined if it is not one. */
export function parseIPv6(text: string): Uint8Array | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || text.length > 45) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parseGroups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    const parts = s.split(':');
    for (const [i, p] of parts.entries()) {
      if (p.includes('.') && i === parts.length - 1) {
        const octets = p.split('.');
        if (octets.length !== 4) return undefined;
        const v = octets.map((o) => (/^\d{1,3}$/.test(o) ? Number(o) : Number.NaN));
        if (v.some((n) => !(n >= 0 && n <= 255))) return undefined;
        out.push((v[0]! << 8) | v[1]!, (v[2]! << 8) | v[3]!);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return undefined;
        out.push(Number.parseInt(p, 16));
      }
    }
    return out;
  };
  const head = parseGroups(halves[0]!);
  const tail = halves.length === 2 ? parseGroups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

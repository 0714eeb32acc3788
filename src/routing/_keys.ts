/**
 * Internal helpers: map keys for prefixes and public keys, and prefix checks.
 * Pure and allocation-light; no Buffer, no node: imports.
 */
import {
  maskPrefix,
  NODE_SUBNET_LEN,
  OVERLAY_PREFIX,
  OVERLAY_PREFIX_LEN,
  prefixContains,
} from '../identity/address.js';
import { AE, type Prefix } from '../wire/babel/types.js';

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lowercase hex of bytes, for Map keys and notify details. */
export function hex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]!];
  return s;
}

/** A Map key for a prefix: "ae/plen/hex(masked address)". */
export function prefixKey(p: Prefix): string {
  return `${p.ae}/${p.plen}/${hex(p.addr)}`;
}

/** The Map key of a source: one per (prefix, originator key). */
export function sourceKey(pk: string, originator: Uint8Array): string {
  return `${pk}|${hex(originator)}`;
}

/** Byte equality (not constant-time: only public values pass here). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * True for a prefix hypha routes: AE IPv6, a 16-byte address, plen exactly 64 (a node's subnet),
 * host bits zero, inside 400::/7.
 */
export function isRoutablePrefix(p: Prefix): boolean {
  if (p.ae !== AE.IPv6 || p.plen !== NODE_SUBNET_LEN || p.addr.length !== 16) return false;
  if (!prefixContains(OVERLAY_PREFIX, OVERLAY_PREFIX_LEN, p.addr)) return false;
  for (let i = NODE_SUBNET_LEN / 8; i < 16; i++) if (p.addr[i] !== 0) return false;
  return true;
}

/** The /64 prefix that contains `address` (16 bytes). */
export function subnetOf(address: Uint8Array): Prefix {
  return { ae: AE.IPv6, plen: NODE_SUBNET_LEN, addr: maskPrefix(address, NODE_SUBNET_LEN) };
}

/** True when prefix `p` contains the 16-byte `address`. */
export function prefixHas(p: Prefix, address: Uint8Array): boolean {
  return p.addr.length === address.length && prefixContains(p.addr, p.plen, address);
}

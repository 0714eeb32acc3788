/**
 * Internal helpers: map keys for prefixes and public keys, the intern tables that let every route
 * share one copy of each originator key, prefix and signature, and prefix checks.
 * Pure and allocation-light; no Buffer, no node: imports.
 *
 * Interning (see docs/protocol/routing-engine.md, "Memory layout"). A received Update carries its
 * own copies of the 32-byte originator key, the 64-byte signature and the prefix; storing those in
 * every route cost ~600 bytes per route (a small Uint8Array is ~180 bytes of V8 objects). The
 * tables below map equal bytes to one canonical object, process-wide (a simulator runs thousands
 * of engines in one process; the daemon runs one), so a route holds pointers only:
 *
 * - originator keys: one frozen-by-convention Uint8Array per key, held weakly (a key no route,
 *   source or cache refers to any more is collected and its slot pruned);
 * - per key, the source key string (prefix key + hex of the key, built once), a small integer id
 *   (the verify cache's numeric key) and the latest signature seen (shared by every route that
 *   carries that (key, seqno));
 * - prefixes: one Prefix object and key string per /64.
 *
 * Canonical objects are never mutated. Equality stays by value everywhere (bytesEqual first
 * compares identity), so interning changes memory, not behaviour.
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

/** Bytes [off, off + 6) as a number below 2^48 (exact in a double): the intern tables' hash. */
function head48(b: Uint8Array, off: number): number {
  let h = 0;
  for (let i = off; i < off + 6 && i < b.length; i++) h = h * 256 + b[i]!;
  return h;
}

/** One interned prefix: the canonical Prefix object and its Map key. */
interface PrefixRecord {
  readonly prefix: Prefix;
  readonly key: string;
}

/** Interned prefixes, bucketed by ae/plen and the first 6 address bytes. Cleared past PREFIX_INTERN_MAX. */
const prefixes = new Map<number, PrefixRecord | PrefixRecord[]>();
let prefixCount = 0;
const PREFIX_INTERN_MAX = 1 << 18;

function samePrefix(a: Prefix, b: Prefix): boolean {
  return a.ae === b.ae && a.plen === b.plen && bytesEqual(a.addr, b.addr);
}

function prefixRecord(p: Prefix): PrefixRecord {
  const h = head48(p.addr, 0) * 64 + ((p.ae & 0x3) * 16 + (p.plen & 0xf)); // < 2^53
  const b = prefixes.get(h);
  if (b !== undefined) {
    if (!Array.isArray(b)) {
      if (samePrefix(b.prefix, p)) return b;
    } else {
      for (const r of b) if (samePrefix(r.prefix, p)) return r;
    }
  }
  if (prefixCount >= PREFIX_INTERN_MAX) {
    prefixes.clear();
    prefixCount = 0;
  }
  const rec: PrefixRecord = {
    prefix: { ae: p.ae, plen: p.plen, addr: Uint8Array.from(p.addr) },
    key: `${p.ae}/${p.plen}/${hex(p.addr)}`,
  };
  const cur = prefixes.get(h);
  if (cur === undefined) prefixes.set(h, rec);
  else if (Array.isArray(cur)) cur.push(rec);
  else prefixes.set(h, [cur, rec]);
  prefixCount++;
  return rec;
}

/** A Map key for a prefix: "ae/plen/hex(masked address)"; one shared string per prefix. */
export function prefixKey(p: Prefix): string {
  return prefixRecord(p).key;
}

/** The canonical (shared, never mutated) Prefix object equal to `p`, to store in tables. */
export function internPrefix(p: Prefix): Prefix {
  return prefixRecord(p).prefix;
}

/** What is remembered per interned originator key. */
interface OriginRecord {
  /** A small integer, unique per (key, pk) for the life of the process: a new one when pk changes. */
  id: number;
  /** The prefix key and source key last built for this originator (normally its own /64). */
  pk: string | undefined;
  srcKey: string;
  /** The latest signature interned for this key, and its seqno. */
  sigSeqno: number;
  sig: Uint8Array | undefined;
}

/** Interned keys: hash of the first 6 bytes → weak refs to canonical key arrays. */
const keys = new Map<number, WeakRef<Uint8Array> | WeakRef<Uint8Array>[]>();
/** Canonical key array → its record (alive exactly as long as the key array). */
const records = new WeakMap<Uint8Array, OriginRecord>();
let nextOriginId = 1;

function pruneKeys(h: number): void {
  const b = keys.get(h);
  if (b === undefined) return;
  if (!Array.isArray(b)) {
    if (b.deref() === undefined) keys.delete(h);
    return;
  }
  const live = b.filter((w) => w.deref() !== undefined);
  if (live.length === 0) keys.delete(h);
  else keys.set(h, live.length === 1 ? live[0]! : live);
}

const keyGc = new FinalizationRegistry<number>(pruneKeys);

function findKey(
  b: WeakRef<Uint8Array> | WeakRef<Uint8Array>[] | undefined,
  k: Uint8Array,
): Uint8Array | undefined {
  if (b === undefined) return undefined;
  if (!Array.isArray(b)) {
    const c = b.deref();
    return c !== undefined && bytesEqual(c, k) ? c : undefined;
  }
  for (const w of b) {
    const c = w.deref();
    if (c !== undefined && bytesEqual(c, k)) return c;
  }
  return undefined;
}

/**
 * The canonical copy of an originator key (or any public key): equal bytes give the same
 * Uint8Array for as long as anything holds it. Callers must not mutate it.
 */
export function internKey(k: Uint8Array): Uint8Array {
  return originRecord(k)[0];
}

function originRecord(k: Uint8Array): [Uint8Array, OriginRecord] {
  const h = head48(k, 0);
  const b = keys.get(h);
  let c = findKey(b, k);
  if (c === undefined) {
    c = Uint8Array.from(k);
    const w = new WeakRef(c);
    if (b === undefined) keys.set(h, w);
    else if (Array.isArray(b)) b.push(w);
    else keys.set(h, [b, w]);
    keyGc.register(c, h);
  }
  let r = records.get(c);
  if (r === undefined) {
    r = { id: nextOriginId++, pk: undefined, srcKey: '', sigSeqno: -1, sig: undefined };
    records.set(c, r);
  }
  return [c, r];
}

/** The Map key of a source: one per (prefix, originator key); one shared string per originator's own prefix. */
export function sourceKey(pk: string, originator: Uint8Array): string {
  const [, r] = originRecord(originator);
  if (r.pk !== pk) {
    // Another prefix named with this key (normally rejected next as not owned): its verify-cache
    // keys must not collide with the old prefix's, hence the new id.
    if (r.pk !== undefined) r.id = nextOriginId++;
    r.pk = pk;
    r.srcKey = `${pk}|${hex(originator)}`;
  }
  return r.srcKey;
}

/**
 * The verify cache's key for (source, seqno): a number (originator id × 2^16 + seqno) when
 * `srcKey` is the originator's interned source key, else the string "srcKey#seqno". Either way
 * equal (source, seqno) give equal keys and different ones different keys.
 */
export function verifyKey(srcKey: string, originator: Uint8Array, seqno: number): number | string {
  const [, r] = originRecord(originator);
  return r.srcKey === srcKey ? r.id * 0x10000 + (seqno & 0xffff) : `${srcKey}#${seqno}`;
}

/**
 * The canonical copy of a verified signature by `originator` for `seqno`: the routes and caches
 * of every engine that accepted the same (key, seqno, signature) share it. Only the latest seqno
 * per key is kept here; older ones stay alive through whatever still holds them.
 */
export function internSignature(originator: Uint8Array, seqno: number, signature: Uint8Array): Uint8Array {
  const [, r] = originRecord(originator);
  if (r.sig !== undefined && r.sigSeqno === seqno && bytesEqual(r.sig, signature)) return r.sig;
  r.sig = Uint8Array.from(signature);
  r.sigSeqno = seqno;
  return r.sig;
}

/** Byte equality (not constant-time: only public values pass here). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a === b) return true;
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

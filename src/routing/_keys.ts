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
 * - originator keys: one frozen-by-convention Uint8Array per key, held weakly (a key no table
 *   refers to any more is collected and its slot pruned);
 * - per key, the source key string (prefix key + hex of the key, built once; pending seqno
 *   requests are filed under it) and the latest signature seen (shared by every route that
 *   carries that (key, seqno));
 * - prefixes: one Prefix object, key string and small integer id per /64 that some table holds,
 *   counted (retainPrefix/releasePrefix); engine tables are arrays indexed by that id.
 *
 * Canonical objects are never mutated. Equality stays by value everywhere (bytesEqual first
 * compares identity), so interning changes memory, not behaviour.
 */
import {
  formatIPv6,
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

/**
 * Prefixes, keys and signatures that tables hold by number (table.ts keeps no pointers, so the
 * garbage collector never walks a table): an id per held object, counted, reused after the last
 * release (so ids stay dense). A held object is strongly referenced from here.
 */
class IdTable<T> {
  readonly #items: (T | undefined)[] = [];
  readonly #refs: number[] = [];
  readonly #free: number[] = [];

  /** Gives `item` a new id with one reference. */
  add(item: T): number {
    const id = this.#free.pop() ?? this.#items.length;
    this.#items[id] = item;
    this.#refs[id] = 1;
    return id;
  }

  retain(id: number): void {
    this.#refs[id]!++;
  }

  /** Drops one reference; returns the item when that was the last one (its id is then free). */
  release(id: number): T | undefined {
    if (--this.#refs[id]! > 0) return undefined;
    const item = this.#items[id];
    this.#items[id] = undefined;
    this.#free.push(id);
    return item;
  }

  get(id: number): T {
    return this.#items[id]!;
  }

  /** One more than the highest id ever handed out. */
  get limit(): number {
    return this.#items.length;
  }
}

/**
 * One interned prefix: the canonical Prefix object, its Map key, and a small integer id that engine
 * tables index by (table.ts). Records are created by retainPrefix() only, counted, and freed when
 * the last holder releases them; a freed id is reused. Lookups never create a record, so prefixes
 * that nobody stores (a flood of bogus ones) cost nothing here.
 */
interface PrefixRecord {
  readonly prefix: Prefix;
  readonly key: string;
  /** Its id while held; -1 once the last holder released it. */
  id: number;
  /** "addr/plen" for notifications, made on first use. */
  text: string | undefined;
}

/**
 * The canonical Prefix object of a record carries the record under this symbol, so looking up a
 * canonical prefix (what engine-made Updates carry, and what the simulator hands from engine to
 * engine) costs one property read instead of hashing its bytes. A released record has id -1: its
 * object may still travel in a queued Update, and then takes the hashed path.
 */
const RECORD = Symbol('prefixRecord');
type CanonicalPrefix = Prefix & { [RECORD]?: PrefixRecord };

/** Interned prefixes, bucketed by ae/plen and the first 6 address bytes. */
const prefixes = new Map<number, PrefixRecord | PrefixRecord[]>();
const heldPrefixes = new IdTable<PrefixRecord>();

function samePrefix(a: Prefix, b: Prefix): boolean {
  return a.ae === b.ae && a.plen === b.plen && bytesEqual(a.addr, b.addr);
}

function prefixHash(p: Prefix): number {
  return head48(p.addr, 0) * 64 + ((p.ae & 0x3) * 16 + (p.plen & 0xf)); // < 2^53
}

function findPrefixRecord(p: Prefix): PrefixRecord | undefined {
  const own = (p as CanonicalPrefix)[RECORD];
  if (own !== undefined && own.id >= 0) return own;
  const b = prefixes.get(prefixHash(p));
  if (b === undefined) return undefined;
  if (!Array.isArray(b)) return samePrefix(b.prefix, p) ? b : undefined;
  for (const r of b) if (samePrefix(r.prefix, p)) return r;
  return undefined;
}

function buildPrefixKey(p: Prefix): string {
  return `${p.ae}/${p.plen}/${hex(p.addr)}`;
}

/** A Map key for a prefix: "ae/plen/hex(address)"; the shared string when the prefix is interned. */
export function prefixKey(p: Prefix): string {
  return findPrefixRecord(p)?.key ?? buildPrefixKey(p);
}

/** The id of an interned prefix, or -1 when no table holds it (so no table has a slot for it). */
export function prefixIdOf(p: Prefix): number {
  return findPrefixRecord(p)?.id ?? -1;
}

/** Interns `p` (or finds it) and counts one more holder; returns its id. Pair with releasePrefix. */
export function retainPrefix(p: Prefix): number {
  const found = findPrefixRecord(p);
  if (found !== undefined) {
    heldPrefixes.retain(found.id);
    return found.id;
  }
  const prefix: CanonicalPrefix = { ae: p.ae, plen: p.plen, addr: Uint8Array.from(p.addr) };
  const rec: PrefixRecord = { prefix, key: buildPrefixKey(p), id: -1, text: undefined };
  // Not enumerable: equality by value (tests, JSON) sees a plain Prefix.
  Object.defineProperty(prefix, RECORD, { value: rec });
  rec.id = heldPrefixes.add(rec);
  const h = prefixHash(p);
  const cur = prefixes.get(h);
  if (cur === undefined) prefixes.set(h, rec);
  else if (Array.isArray(cur)) cur.push(rec);
  else prefixes.set(h, [cur, rec]);
  return rec.id;
}

/** One holder of prefix `id` let go; the record is freed (and its id reusable) after the last. */
export function releasePrefix(id: number): void {
  const rec = heldPrefixes.release(id);
  if (rec === undefined) return;
  rec.id = -1;
  const h = prefixHash(rec.prefix);
  const b = prefixes.get(h);
  if (b === rec) prefixes.delete(h);
  else if (Array.isArray(b)) {
    const rest = b.filter((r) => r !== rec);
    if (rest.length === 0) prefixes.delete(h);
    else prefixes.set(h, rest.length === 1 ? rest[0]! : rest);
  }
}

/** The canonical Prefix object of interned prefix `id` (the caller holds it, so it exists). */
export function prefixOfId(id: number): Prefix {
  return heldPrefixes.get(id).prefix;
}

/** The shared key string of interned prefix `id`. */
export function prefixKeyOfId(id: number): string {
  return heldPrefixes.get(id).key;
}

/** "addr/plen" of interned prefix `id` (built once per record), for notifications. */
export function prefixTextOfId(id: number): string {
  const r = heldPrefixes.get(id);
  r.text ??= formatPrefix(r.prefix);
  return r.text;
}

/** A prefix for logs: "addr/plen". */
export function formatPrefix(p: Prefix): string {
  return p.ae === AE.IPv6 && p.addr.length === 16 ? `${formatIPv6(p.addr)}/${p.plen}` : `ae${p.ae}/${p.plen}`;
}

/** One more than the highest prefix id in use: tables size their slot arrays from it. */
export function prefixIdLimit(): number {
  return heldPrefixes.limit;
}

/** What is remembered per interned originator key. */
interface OriginRecord {
  /** The canonical key array (the record lives in a WeakMap keyed by it: no cycle problem). */
  readonly key: Uint8Array;
  /** Its id while some table holds it (retainKey), else -1. */
  id: number;
  /** The prefix key and source key last built for this originator (normally its own /64). */
  pk: string | undefined;
  srcKey: string;
  /** The key's first 8 bytes (the router id written with its Updates), made on first use. */
  routerId: Uint8Array | undefined;
  /** The latest signature interned for this key, and its seqno. */
  sigSeqno: number;
  sig: Uint8Array | undefined;
}

/** Interned keys: hash of the first 6 bytes → weak refs to canonical key arrays. */
const keys = new Map<number, WeakRef<Uint8Array> | WeakRef<Uint8Array>[]>();
/** Canonical key array → its record (alive exactly as long as the key array). */
const records = new WeakMap<Uint8Array, OriginRecord>();

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

function originRecord(k: Uint8Array): OriginRecord {
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
    r = { key: c, id: -1, pk: undefined, srcKey: '', routerId: undefined, sigSeqno: -1, sig: undefined };
    records.set(c, r);
  }
  return r;
}

/** The Map key of a source: one per (prefix, originator key); one shared string per originator's own prefix. */
export function sourceKey(pk: string, originator: Uint8Array): string {
  const r = originRecord(originator);
  if (r.pk !== pk) {
    r.pk = pk;
    r.srcKey = `${pk}|${hex(originator)}`;
  }
  return r.srcKey;
}

/**
 * The canonical copy of a verified signature by `originator` for `seqno`: the routes of every
 * engine that accepted the same (key, seqno, signature) share it. Only the latest seqno per key is
 * kept here; older ones stay alive through whatever still holds them.
 */
export function internSignature(originator: Uint8Array, seqno: number, signature: Uint8Array): Uint8Array {
  const r = originRecord(originator);
  if (r.sig !== undefined && r.sigSeqno === seqno && bytesEqual(r.sig, signature)) return r.sig;
  r.sig = Uint8Array.from(signature);
  r.sigSeqno = seqno;
  return r.sig;
}

const heldKeys = new IdTable<OriginRecord>();

/** The id of (the canonical copy of) key `k`, counted as one more holder. Pair with releaseKey. */
export function retainKey(k: Uint8Array): number {
  const r = originRecord(k);
  if (r.id < 0) r.id = heldKeys.add(r);
  else heldKeys.retain(r.id);
  return r.id;
}

export function releaseKey(id: number): void {
  const r = heldKeys.release(id);
  if (r !== undefined) r.id = -1;
}

/** The canonical key array of a held key id. */
export function keyOfId(id: number): Uint8Array {
  return heldKeys.get(id).key;
}

/** The router id (first 8 bytes, shared) of a held key id. */
export function routerIdOfId(id: number): Uint8Array {
  const r = heldKeys.get(id);
  r.routerId ??= r.key.subarray(0, 8);
  return r.routerId;
}

const heldSignatures = new IdTable<Uint8Array>();
const signatureIds = new Map<Uint8Array, number>();

/** The id of an interned signature (from internSignature), counted as one more holder. */
export function retainSignature(sig: Uint8Array): number {
  const id = signatureIds.get(sig);
  if (id !== undefined) {
    heldSignatures.retain(id);
    return id;
  }
  const fresh = heldSignatures.add(sig);
  signatureIds.set(sig, fresh);
  return fresh;
}

export function releaseSignature(id: number): void {
  const sig = heldSignatures.release(id);
  if (sig !== undefined) signatureIds.delete(sig);
}

/** The signature of a held signature id. */
export function signatureOfId(id: number): Uint8Array {
  return heldSignatures.get(id);
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

/** The wildcard prefix (AE 0): "every route", in wildcard route requests and retractions. */
export const WILDCARD_PREFIX: Prefix = { ae: AE.Wildcard, plen: 0, addr: new Uint8Array(0) };

/** The /64 prefix that contains `address` (16 bytes). */
export function subnetOf(address: Uint8Array): Prefix {
  return { ae: AE.IPv6, plen: NODE_SUBNET_LEN, addr: maskPrefix(address, NODE_SUBNET_LEN) };
}

/** True when prefix `p` contains the 16-byte `address`. */
export function prefixHas(p: Prefix, address: Uint8Array): boolean {
  return p.addr.length === address.length && prefixContains(p.addr, p.plen, address);
}

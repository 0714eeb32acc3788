/**
 * The route table's storage: a struct of arrays per engine, so that a route is an integer and costs
 * ~32 bytes, and a prefix ~37 (see docs/protocol/routing-engine.md, "Memory layout"; objects cost
 * ~1 KB per prefix, which kept the simulator from 10,000 nodes).
 *
 * - A **slot** is a prefix this engine holds routes or a feasibility distance for. Slots are
 *   indexed by the prefix's process-wide id (_keys.ts retainPrefix), so no per-engine map is
 *   needed; a slot holds the prefix's one originator key (the source: a /64 is owned by the key it
 *   derives from, so one prefix has one source), the selected route, what was installed in the
 *   forwarding table and last advertised, and the feasibility distance (FD).
 * - A **route** is an index into the route pool: the routes of one slot form a singly linked list
 *   from `head`. Freed routes go to a free list.
 * - Per neighbour slot, a bitmap of the prefix slots holding a route through it: a neighbour going
 *   down or changing cost visits only those.
 * - Times are stored as whole milliseconds since `epoch` in Uint32 (49 days); `rebase()` moves the
 *   epoch forward long before that runs out.
 *
 * This file only stores; the rules (selection, feasibility, what to send) are in the concept files.
 */
import type { Prefix } from '../wire/babel/types.js';
import {
  keyOfId,
  prefixIdLimit,
  prefixKeyOfId,
  prefixOfId,
  releaseKey,
  releasePrefix,
  releaseSignature,
  retainKey,
  retainPrefix,
  retainSignature,
  routerIdOfId,
  signatureOfId,
} from './_keys.js';
import type { Millis } from './api.js';
import { METRIC_INFINITY } from './constants.js';
import type { Neighbour } from './neighbour.js';

export const NONE = -1;
/** `sel` of a slot whose selected route was just removed, until selection runs again. */
export const LOST = -2;

const LIVE = 1;
const ADVERTISED = 2;
const HAS_FD = 4;
/** Route requests sent for the selected route as it neared expiry (0–2), in bits 3–4. */
const ASKS_SHIFT = 3;
const ASKS_MASK = 3 << ASKS_SHIFT;

const TIME_MAX = 0xffff_ffff;
/** Rebase once the clock is this far past the epoch (well below TIME_MAX). */
const REBASE_AFTER_MS = 2 ** 31;
const REBASE_SHIFT_MS = 2 ** 30;

function grown(cap: number, need: number): number {
  return Math.max(need, Math.ceil(cap * 1.25), 16);
}

type Column = Uint8Array | Uint16Array | Int16Array | Int32Array | Uint32Array | Float32Array;

/** A copy of `a` grown to `n` elements, the new ones `fill` (NONE for indices, 0 otherwise). */
function grow<A extends Column>(a: A, n: number, fill = 0): A {
  const b = new (a.constructor as new (length: number) => A)(n);
  if (fill !== 0) b.fill(fill);
  b.set(a as never);
  return b;
}

export class RouteTable {
  epoch: Millis;

  // ---- slots (indexed by prefix id) ----
  #cap = 0;
  #flags = new Uint8Array(0);
  /** First route of the slot, NONE when it has none. */
  head = new Int32Array(0);
  /** The selected route, NONE when none. */
  sel = new Int32Array(0);
  /** The slot's originator key, as a held key id (_keys.ts retainKey); see originKey(). */
  #origin = new Int32Array(0);
  /** Installed forwarding entry: neighbour slot (NONE: nothing installed), metric, seqno. */
  instNbr = new Int16Array(0);
  instMetric = new Uint16Array(0);
  instSeqno = new Uint16Array(0);
  /** Last advertised (seqno, metric), valid when advertised(). */
  advSeqno = new Uint16Array(0);
  advMetric = new Uint16Array(0);
  /** Feasibility distance, valid when hasFd(), and the signature of its seqno (for echoes). */
  fdSeqno = new Uint16Array(0);
  fdMetric = new Uint16Array(0);
  #fdSig = new Int32Array(0);
  /** Last use of the source (ms since epoch), for its garbage collection. */
  #usedAt = new Uint32Array(0);

  // ---- routes ----
  #rcap = 0;
  #free = NONE;
  rNext = new Int32Array(0);
  rNbr = new Uint16Array(0);
  rSeqno = new Uint16Array(0);
  /** The metric the neighbour advertised (without our link cost). */
  rRef = new Uint16Array(0);
  /** Smoothed metric, when it was computed (ms since epoch), and the metric in force since then. */
  rSmoothed = new Float32Array(0);
  #rSmAt = new Uint32Array(0);
  rSmTarget = new Uint16Array(0);
  #rExpires = new Uint32Array(0);
  /** The originator's signature over (prefix, seqno, key), verified: a held signature id. */
  #rSig = new Int32Array(0);

  // ---- neighbours ----
  /** Neighbours by slot (routes store the slot). */
  readonly nbr: (Neighbour | undefined)[] = [];
  #nbrFree: number[] = [];
  #nbrBits: (Uint32Array | undefined)[] = [];

  /** Live slots, slots with at least one route, and routes. */
  slots = 0;
  prefixes = 0;
  routes = 0;

  constructor(now: Millis) {
    this.epoch = now;
  }

  // ---- time ----

  /** `t` as stored: whole ms since the epoch, rounded up (an expiry never comes early). */
  #up(t: Millis): number {
    return Math.min(TIME_MAX, Math.max(0, Math.ceil(t - this.epoch)));
  }
  #down(t: Millis): number {
    return Math.min(TIME_MAX, Math.max(0, Math.floor(t - this.epoch)));
  }

  /** Moves the epoch forward when `now` nears the end of the Uint32 range (every ~24 days). */
  rebase(now: Millis): void {
    if (now - this.epoch < REBASE_AFTER_MS) return;
    const shift = REBASE_SHIFT_MS;
    this.epoch += shift;
    const sub = (a: Uint32Array, n: number) => {
      for (let i = 0; i < n; i++) a[i] = a[i]! > shift ? a[i]! - shift : 0;
    };
    sub(this.#usedAt, this.#cap);
    sub(this.#rSmAt, this.#rcap);
    sub(this.#rExpires, this.#rcap);
  }

  // ---- slots ----

  /** The slot of `prefix`, or NONE when this table does not hold it. */
  slotOfId(id: number): number {
    return id >= 0 && id < this.#cap && (this.#flags[id]! & LIVE) !== 0 ? id : NONE;
  }

  /** Upper bound (exclusive) of slot numbers, for scans: `for (p < limit) if (isLive(p))`. */
  get limit(): number {
    return this.#cap;
  }

  isLive(p: number): boolean {
    return (this.#flags[p]! & LIVE) !== 0;
  }

  /** Creates the slot for `prefix` with originator `origin` (interned); returns it. */
  createSlot(prefix: Prefix, origin: Uint8Array, now: Millis): number {
    const p = retainPrefix(prefix);
    if (p >= this.#cap) this.#growSlots(p + 1);
    this.#flags[p] = LIVE;
    this.head[p] = NONE;
    this.sel[p] = NONE;
    this.instNbr[p] = NONE;
    this.#origin[p] = retainKey(origin);
    this.#fdSig[p] = NONE;
    this.#usedAt[p] = this.#down(now);
    this.slots++;
    return p;
  }

  /** Frees a slot that holds no route. */
  freeSlot(p: number): void {
    if (!this.isLive(p) || this.head[p] !== NONE) return;
    // Its id may go to another prefix: what a neighbour announced for it and we did not store is
    // forgotten too (the next Route Digest then differs and brings a full dump).
    for (const n of this.nbr) if (n?.unstored !== undefined && p < n.unstored.length) n.unstored[p] = 0;
    this.#flags[p] = 0;
    releaseKey(this.#origin[p]!);
    this.#releaseFdSig(p);
    this.slots--;
    releasePrefix(p);
  }

  /** Gives an empty slot to another originator: a fresh source with no FD and nothing advertised. */
  resetOrigin(p: number, origin: Uint8Array, now: Millis): void {
    const old = this.#origin[p]!;
    this.#origin[p] = retainKey(origin);
    releaseKey(old);
    this.#releaseFdSig(p);
    this.#flags[p] = LIVE;
    this.#usedAt[p] = this.#down(now);
  }

  prefix(p: number): Prefix {
    return prefixOfId(p);
  }

  key(p: number): string {
    return prefixKeyOfId(p);
  }

  advertised(p: number): boolean {
    return (this.#flags[p]! & ADVERTISED) !== 0;
  }

  /** True when slot `p` is announced with a finite metric (advertised and not retracted). */
  announcing(p: number): boolean {
    return this.advertised(p) && this.advMetric[p]! < METRIC_INFINITY;
  }

  setAdvertised(p: number, seqno: number, metric: number): void {
    this.#flags[p]! |= ADVERTISED;
    this.advSeqno[p] = seqno;
    this.advMetric[p] = metric;
  }

  /** How many refresh requests went out for the selected route since it was last refreshed. */
  refreshAsks(p: number): number {
    return (this.#flags[p]! & ASKS_MASK) >> ASKS_SHIFT;
  }

  setRefreshAsks(p: number, n: number): void {
    this.#flags[p] = (this.#flags[p]! & ~ASKS_MASK) | ((n & 3) << ASKS_SHIFT);
  }

  hasFd(p: number): boolean {
    return (this.#flags[p]! & HAS_FD) !== 0;
  }

  setFd(p: number, seqno: number, metric: number, signature: Uint8Array): void {
    this.#flags[p]! |= HAS_FD;
    this.fdSeqno[p] = seqno;
    this.fdMetric[p] = metric;
    const old = this.#fdSig[p]!;
    if (old !== NONE && signatureOfId(old) === signature) return;
    this.#fdSig[p] = retainSignature(signature);
    if (old !== NONE) releaseSignature(old);
  }

  /** The signature of the FD's seqno, if any. */
  fdSignature(p: number): Uint8Array | undefined {
    const id = this.#fdSig[p]!;
    return id === NONE ? undefined : signatureOfId(id);
  }

  #releaseFdSig(p: number): void {
    const id = this.#fdSig[p]!;
    this.#fdSig[p] = NONE;
    if (id !== NONE) releaseSignature(id);
  }

  /** The originator key of live slot `p` (the canonical, shared array). */
  originKey(p: number): Uint8Array {
    return keyOfId(this.#origin[p]!);
  }

  /** The router id of slot `p`'s originator (its first 8 bytes, shared). */
  originRouterId(p: number): Uint8Array {
    return routerIdOfId(this.#origin[p]!);
  }

  touch(p: number, now: Millis): void {
    this.#usedAt[p] = this.#down(now);
  }

  usedAt(p: number): Millis {
    return this.epoch + this.#usedAt[p]!;
  }

  #growSlots(need: number): void {
    const n = grown(this.#cap, Math.max(need, prefixIdLimit()));
    this.#flags = grow(this.#flags, n);
    this.head = grow(this.head, n, NONE);
    this.sel = grow(this.sel, n, NONE);
    this.instNbr = grow(this.instNbr, n, NONE);
    this.instMetric = grow(this.instMetric, n);
    this.instSeqno = grow(this.instSeqno, n);
    this.advSeqno = grow(this.advSeqno, n);
    this.advMetric = grow(this.advMetric, n);
    this.fdSeqno = grow(this.fdSeqno, n);
    this.fdMetric = grow(this.fdMetric, n);
    this.#usedAt = grow(this.#usedAt, n);
    this.#origin = grow(this.#origin, n, NONE);
    this.#fdSig = grow(this.#fdSig, n, NONE);
    const words = (n + 31) >>> 5;
    for (let i = 0; i < this.#nbrBits.length; i++) {
      const b = this.#nbrBits[i];
      if (b !== undefined && b.length < words) {
        const c = new Uint32Array(words);
        c.set(b);
        this.#nbrBits[i] = c;
      }
    }
    this.#cap = n;
  }

  // ---- routes ----

  /** The route through neighbour slot `nbr` in slot `p`, or NONE. */
  findRoute(p: number, nbr: number): number {
    for (let r = this.head[p]!; r !== NONE; r = this.rNext[r]!) if (this.rNbr[r] === nbr) return r;
    return NONE;
  }

  /** Number of routes in slot `p`. */
  routeCount(p: number): number {
    let k = 0;
    for (let r = this.head[p]!; r !== NONE; r = this.rNext[r]!) k++;
    return k;
  }

  /** Adds a route to slot `p` (appended, so older routes are visited first); returns it. */
  addRoute(p: number, nbr: number, now: Millis): number {
    if (this.#free === NONE) this.#growRoutes();
    const r = this.#free;
    this.#free = this.rNext[r]!;
    this.rNext[r] = NONE;
    this.rNbr[r] = nbr;
    this.#rSig[r] = NONE;
    this.rSmoothed[r] = 0xffff;
    this.rSmTarget[r] = 0xffff;
    this.#rSmAt[r] = this.#down(now);
    let last = this.head[p]!;
    if (last === NONE) {
      this.head[p] = r;
      this.prefixes++;
    } else {
      while (this.rNext[last] !== NONE) last = this.rNext[last]!;
      this.rNext[last] = r;
    }
    const bits = this.#nbrBits[nbr]!;
    bits[p >>> 5]! |= 1 << (p & 31);
    this.routes++;
    return r;
  }

  /**
   * Unlinks and frees route `r` of slot `p`. If it was selected, `sel` becomes LOST until the
   * caller re-runs selection (which then sees the loss and retracts or replaces it).
   */
  removeRoute(p: number, r: number): void {
    let prev = NONE;
    let cur = this.head[p]!;
    while (cur !== NONE && cur !== r) {
      prev = cur;
      cur = this.rNext[cur]!;
    }
    if (cur === NONE) return;
    if (prev === NONE) this.head[p] = this.rNext[r]!;
    else this.rNext[prev] = this.rNext[r]!;
    if (this.head[p] === NONE) this.prefixes--;
    if (this.sel[p] === r) this.sel[p] = LOST;
    const bits = this.#nbrBits[this.rNbr[r]!];
    if (bits !== undefined) bits[p >>> 5]! &= ~(1 << (p & 31));
    const sig = this.#rSig[r]!;
    this.#rSig[r] = NONE;
    if (sig !== NONE) releaseSignature(sig);
    this.rNext[r] = this.#free;
    this.#free = r;
    this.routes--;
  }

  /** The signature route `r` carries (set once it verified). */
  sig(r: number): Uint8Array | undefined {
    const id = this.#rSig[r]!;
    return id === NONE ? undefined : signatureOfId(id);
  }

  /** Sets the (interned, verified) signature of route `r`. */
  setSig(r: number, signature: Uint8Array): void {
    const old = this.#rSig[r]!;
    if (old !== NONE && signatureOfId(old) === signature) return;
    this.#rSig[r] = retainSignature(signature);
    if (old !== NONE) releaseSignature(old);
  }

  expiresAt(r: number): Millis {
    return this.epoch + this.#rExpires[r]!;
  }

  setExpiresAt(r: number, t: Millis): void {
    this.#rExpires[r] = this.#up(t);
  }

  smoothedAt(r: number): Millis {
    return this.epoch + this.#rSmAt[r]!;
  }

  setSmoothedAt(r: number, t: Millis): void {
    this.#rSmAt[r] = this.#down(t);
  }

  #growRoutes(): void {
    const old = this.#rcap;
    const n = grown(old, old + 1);
    this.rNext = grow(this.rNext, n, NONE);
    this.rNbr = grow(this.rNbr, n);
    this.rSeqno = grow(this.rSeqno, n);
    this.rRef = grow(this.rRef, n);
    this.rSmoothed = grow(this.rSmoothed, n);
    this.#rSmAt = grow(this.#rSmAt, n);
    this.rSmTarget = grow(this.rSmTarget, n);
    this.#rExpires = grow(this.#rExpires, n);
    this.#rSig = grow(this.#rSig, n, NONE);
    for (let i = n - 1; i >= old; i--) {
      this.rNext[i] = this.#free;
      this.#free = i;
    }
    this.#rcap = n;
  }

  // ---- neighbours ----

  /** Registers a neighbour; returns its slot (what routes store). */
  addNeighbour(n: Neighbour): number {
    const slot = this.#nbrFree.pop() ?? this.nbr.length;
    this.nbr[slot] = n;
    this.#nbrBits[slot] = new Uint32Array((this.#cap + 31) >>> 5);
    return slot;
  }

  /** Forgets a neighbour slot; its routes must have been removed first. */
  removeNeighbour(slot: number): void {
    this.nbr[slot] = undefined;
    this.#nbrBits[slot] = undefined;
    this.#nbrFree.push(slot);
  }

  /** The prefix slots with a route through neighbour slot `nbr`, in slot order. */
  slotsVia(nbr: number): number[] {
    const bits = this.#nbrBits[nbr];
    const out: number[] = [];
    if (bits === undefined) return out;
    for (let w = 0; w < bits.length; w++) {
      let v = bits[w]!;
      while (v !== 0) {
        const low = v & -v;
        out.push((w << 5) + 31 - Math.clz32(low));
        v ^= low;
      }
    }
    return out;
  }
}

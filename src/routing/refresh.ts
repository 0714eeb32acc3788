/**
 * The periodic refresh by Route Digest (docs/protocol/routing-engine.md, "Refresh by digest").
 * RFC 8966 repeats every route to every neighbour each update interval: at N nodes a node with d
 * neighbours sends N × d Updates a minute, which at 10,000 nodes is tens of thousands a second at
 * a hub. Triggered updates here are acknowledged, so a neighbour already holds what we announce;
 * the refresh only has to confirm that and keep the routes alive. Each interval we send each
 * neighbour one Route Digest TLV: the count and XOR-hash (digest.ts) of every (prefix, seqno,
 * metric) we announce to it. The neighbour hashes what it holds from us the same way. Equal: it
 * extends the hold time of all those routes. Different: it asks us for a full dump (a wildcard
 * Route Request), and our answer also retracts what split horizon stopped announcing to it.
 *
 * A neighbour that has been up for LEGACY_AFTER_INTERVALS update intervals without sending us a
 * digest (an older hypha; a newer one sends its first within 1.25 intervals of any link coming up)
 * gets the full refresh as before, and the digest with it; once it sends digests itself it gets
 * only digests. Nobody gets a full refresh in the first round, which at 10,000 nodes would cost as
 * much as the boot.
 */
import { type RouteDigest, TlvType } from '../wire/babel/types.js';
import { prefixIdLimit, prefixIdOf, subnetOf, WILDCARD_PREFIX } from './_keys.js';
import { armExpiry, armRefresh, type EngineState } from './_state.js';
import { LEGACY_AFTER_INTERVALS, METRIC_TRIGGER_MIN_DELTA } from './constants.js';
import { type Digest, emptyDigest, sameDigest, toggle } from './digest.js';
import type { Neighbour } from './neighbour.js';
import { routeRequestTlv } from './request.js';
import { routeMetric } from './route.js';
import { intervalCs, ownUpdate, sendPeriodicUpdates, sendTriggered, splitHorizon } from './send.js';
import { NONE } from './table.js';
import { holdTimeMs } from './update.js';

/** The Update timer: a Route Digest to every neighbour, and the full refresh to those without digests. */
export function sendRefresh(s: EngineState): void {
  const t = s.table;
  const all = emptyDigest();
  const own = ownUpdate(s);
  toggle(all, own.prefix, own.seqno, own.metric, 1);
  // What split horizon keeps from each neighbour, by neighbour slot.
  const hidden = new Map<number, Digest>();
  for (let p = 0; p < t.limit; p++) {
    if (!t.isLive(p)) continue;
    const sel = t.sel[p]!;
    if (sel < 0 || !t.announcing(p)) continue;
    const prefix = t.prefix(p);
    const seqno = t.advSeqno[p]!;
    const metric = t.advMetric[p]!;
    toggle(all, prefix, seqno, metric, 1);
    if (!s.cfg.splitHorizon) continue;
    const via = t.rNbr[sel]!;
    let h = hidden.get(via);
    if (h === undefined) {
      h = emptyDigest();
      hidden.set(via, h);
    }
    toggle(h, prefix, seqno, metric, 1);
  }
  const legacy: Neighbour[] = [];
  const legacyBefore = s.now - LEGACY_AFTER_INTERVALS * s.cfg.updateIntervalMs;
  for (const n of s.neighbours.values()) {
    if (!n.speaksDigest && n.upAt <= legacyBefore) legacy.push(n);
    const d: Digest = { ...all };
    const h = hidden.get(n.slot);
    if (h !== undefined) {
      d.count -= h.count;
      d.hi = (d.hi ^ h.hi) >>> 0;
      d.lo = (d.lo ^ h.lo) >>> 0;
    }
    removeOwnPrefixOf(s, n, d);
    const tlv: RouteDigest = { type: TlvType.RouteDigest, interval: intervalCs(s), ...d };
    s.outbox.queueHead(n.id, tlv);
  }
  s.counters.add('refresh.digest.sent', s.neighbours.size);
  if (legacy.length > 0) {
    s.counters.add('refresh.full', legacy.length);
    sendPeriodicUpdates(s, legacy);
  }
}

/**
 * The Drift timer, half an update interval after the start and after each refresh: a selected
 * route whose metric moved since it was announced, by less than the trigger threshold but at least
 * its floor or half its relative part (max(16, metric / 8)), is announced again. The digest
 * repeats the announced state, so without this such drift would never reach the neighbours (they
 * chose paths on metrics up to a quarter off). Half an interval away from the digests, so these
 * acknowledged Updates are in place well before the next digest and never race one.
 */
export function sendDrifted(s: EngineState): void {
  const t = s.table;
  for (let p = 0; p < t.limit; p++) {
    if (!t.isLive(p) || !t.announcing(p)) continue;
    const sel = t.sel[p]!;
    if (sel < 0 || t.rSeqno[sel] !== t.advSeqno[p]) continue;
    const adv = t.advMetric[p]!;
    if (Math.abs(routeMetric(t, sel) - adv) < Math.max(METRIC_TRIGGER_MIN_DELTA, adv >> 3)) continue;
    s.counters.add('update.drift');
    sendTriggered(s, p);
  }
}

/** A neighbour never stores a route to its own prefix, so the digest to it leaves that out. */
function removeOwnPrefixOf(s: EngineState, n: Neighbour, d: Digest): void {
  const t = s.table;
  const p = t.slotOfId(prefixIdOf(subnetOf(s.deps.addressOf(n.publicKey))));
  if (p === NONE || t.sel[p]! < 0 || !t.announcing(p) || splitHorizon(s, p, n)) return;
  toggle(d, t.prefix(p), t.advSeqno[p]!, t.advMetric[p]!, -1);
}

/** Remembers an announcement from `n` for slot `p` that the table did not store (or evicted). */
export function noteUnstored(n: Neighbour, p: number, seqno: number, metric: number): void {
  let a = n.unstored;
  if (a === undefined || a.length <= p) {
    const b = new Uint32Array(Math.max(p + 1, prefixIdLimit(), (a?.length ?? 0) * 2));
    if (a !== undefined) b.set(a);
    a = b;
    n.unstored = a;
  }
  a[p] = (((seqno & 0xffff) << 16) | (metric & 0xffff)) + 1;
}

/** `n` announced something newer for slot `p`, or withdrew it. */
export function forgetUnstored(n: Neighbour, p: number): void {
  const a = n.unstored;
  if (a !== undefined && p < a.length) a[p] = 0;
}

/** A Route Digest from `n`: keep everything it announced to us alive, or ask for a full dump. */
export function handleRouteDigest(s: EngineState, n: Neighbour, tlv: RouteDigest): void {
  n.speaksDigest = true;
  const t = s.table;
  const held = emptyDigest();
  const slots = t.slotsVia(n.slot);
  const routes = slots.map((p) => t.findRoute(p, n.slot));
  for (let i = 0; i < slots.length; i++) {
    const r = routes[i]!;
    if (r !== NONE) toggle(held, t.prefix(slots[i]!), t.rSeqno[r]!, t.rRef[r]!, 1);
  }
  const un = n.unstored;
  if (un !== undefined) {
    for (let p = 0; p < un.length; p++) {
      const v = un[p]!;
      if (v !== 0) toggle(held, t.prefix(p), (v - 1) >>> 16, (v - 1) & 0xffff, 1);
    }
  }
  if (!sameDigest(held, tlv.count, tlv.hi, tlv.lo)) {
    s.counters.add('refresh.digest.mismatched');
    s.outbox.queueTail(n.id, routeRequestTlv(WILDCARD_PREFIX, 1));
    return;
  }
  s.counters.add('refresh.digest.matched');
  const until = s.now + holdTimeMs(tlv.interval);
  for (let i = 0; i < slots.length; i++) {
    const r = routes[i]!;
    if (r === NONE || t.expiresAt(r) >= until) continue;
    t.setExpiresAt(r, until);
    armExpiry(s, until);
    if (t.sel[slots[i]!] === r) armRefresh(s, slots[i]!);
  }
}

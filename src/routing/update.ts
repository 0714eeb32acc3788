/**
 * Received Updates (RFC 8966 §3.5.3, babeld's update_route): the checks in order (fields, prefix,
 * originator, ownership, staleness, signature through the verify cache), storing the route, and
 * re-selecting its prefix; retractions (one prefix or wildcard), echoes of our own prefix, and
 * route expiry. How a route is chosen is route.ts and selection.ts.
 */

import { updateSignedBytes } from '../wire/babel/signed.js';
import { AE, TlvType, type Update } from '../wire/babel/types.js';
import {
  bytesEqual,
  internKey,
  internPrefix,
  internSignature,
  isRoutablePrefix,
  prefixHas,
  prefixKey,
  sourceKey,
  verifyKey,
} from './_keys.js';
import { armExpiry, type EngineState, feasible, reject } from './_state.js';
import {
  METRIC_INFINITY,
  ROUTE_HOLD_FACTOR,
  ROUTE_INTERVAL_MAX_MS,
  ROUTE_INTERVAL_MIN_MS,
} from './constants.js';
import { RejectReason } from './counters.js';
import { isFeasible as feasibleAgainst } from './feasibility.js';
import type { Neighbour } from './neighbour.js';
import { requestNewerSeqno, satisfySeqnoRequest } from './request.js';
import { addRoute, findRoute, flushRoute, type PrefixEntry, type Route, routeMetric } from './route.js';
import { reselect } from './selection.js';
import { bumpOwnSeqno } from './send.js';
import { isSeqno, seqnoCompare, seqnoPlus } from './seqno.js';

/**
 * Verifies the signature of (prefix, seqno, originator), using and filling the verify cache.
 * Returns the signature to store (the shared, interned copy), or undefined when it does not verify.
 */
function verifyUpdate(
  s: EngineState,
  u: Update,
  originator: Uint8Array,
  signature: Uint8Array,
  srcKey: string,
): Uint8Array | undefined {
  const cacheKey = verifyKey(srcKey, originator, u.seqno);
  const cached = s.verified.get(cacheKey, signature);
  if (cached !== undefined) {
    s.counters.add('verify.cached');
    return cached;
  }
  s.counters.add('verify.checked');
  if (!s.deps.verify(originator, updateSignedBytes(u.prefix, u.seqno, originator), signature))
    return undefined;
  const sig = internSignature(originator, u.seqno, signature);
  s.verified.add(cacheKey, sig);
  return sig;
}

/** An Update from neighbour `n`: checked, stored, and its prefix re-selected; or counted as a reject. */
export function handleUpdate(s: EngineState, n: Neighbour, u: Update): void {
  if (!isSeqno(u.seqno) || !Number.isInteger(u.metric) || u.metric < 0 || u.metric > METRIC_INFINITY) {
    reject(s, RejectReason.Malformed);
    return;
  }
  const retraction = u.metric >= METRIC_INFINITY;
  if (retraction && u.prefix.ae === AE.Wildcard) {
    // RFC 8966 §4.6.9: a wildcard retraction withdraws every route the neighbour announced.
    for (const k of [...(s.byNeighbour.get(n.id) ?? [])]) retractFrom(s, n, k);
    return;
  }
  if (!isRoutablePrefix(u.prefix)) {
    reject(s, RejectReason.BadPrefix);
    return;
  }
  const pk = prefixKey(u.prefix);
  if (retraction) {
    // Unsigned by design: it only withdraws what this neighbour itself announced.
    if (pk !== s.xroute.key) retractFrom(s, n, pk);
    return;
  }
  const { originator, signature } = u;
  if (originator?.length !== 32 || signature?.length !== 64) {
    reject(s, RejectReason.NoOriginator);
    return;
  }
  const srcKey = sourceKey(pk, originator);
  if (pk === s.xroute.key) {
    handleOwnPrefixEcho(s, u, originator, signature, srcKey);
    return;
  }
  if (!prefixHas(u.prefix, s.deps.addressOf(originator))) {
    reject(s, RejectReason.PrefixNotOwned);
    return;
  }
  let e = s.table.get(pk);
  const existing = e === undefined ? undefined : findRoute(e, n.id);
  if (
    existing !== undefined &&
    bytesEqual(existing.originator, originator) &&
    seqnoCompare(u.seqno, existing.seqno) < 0
  ) {
    // A neighbour's seqno for a source never goes backwards while it holds the source: a replay.
    reject(s, RejectReason.Stale);
    return;
  }
  const sig = verifyUpdate(s, u, originator, signature, srcKey);
  if (sig === undefined) {
    reject(s, RejectReason.BadSignature);
    return;
  }
  if (e === undefined) {
    if (s.table.size >= s.cfg.maxPrefixes) {
      reject(s, RejectReason.TableFull);
      return;
    }
    e = {
      key: pk,
      prefix: internPrefix(u.prefix),
      routes: [],
      selected: undefined,
      installed: undefined,
      advertised: undefined,
    };
  }
  const source = s.sources.ensureSource(srcKey, u.prefix, originator, s.now);
  if (source === undefined) {
    reject(s, RejectReason.TableFull);
    if (e.routes.length === 0) s.table.delete(pk);
    return;
  }
  if (
    existing !== undefined &&
    existing === e.selected &&
    bytesEqual(existing.originator, originator) &&
    feasible(s, existing) &&
    !feasibleAgainst(s.sources.distance(srcKey), u.seqno, u.metric) &&
    !e.routes.some(
      (o) => o !== existing && o.expiresAt > s.now && routeMetric(o) < METRIC_INFINITY && feasible(s, o),
    )
  ) {
    // RFC 8966 §3.5.4: an unfeasible update for the selected route from the same source MAY be
    // ignored. With no feasible alternative we do that and ask for a newer seqno: taking it made
    // the prefix starve (unreachable for a seqno round trip) whenever a metric rose past our FD,
    // on lossy links mostly at periodic refreshes. With an alternative, selection just moves.
    s.counters.add('update.unfeasible-ignored');
    requestNewerSeqno(s, e, existing);
    return;
  }
  const holdMs =
    Math.min(ROUTE_INTERVAL_MAX_MS, Math.max(ROUTE_INTERVAL_MIN_MS, u.interval * 10)) * ROUTE_HOLD_FACTOR;
  let r = existing;
  if (r !== undefined && !bytesEqual(r.originator, originator)) {
    flushRoute(e, n.id);
    r = undefined;
  }
  if (r === undefined) {
    if (e.routes.length >= s.cfg.maxRoutesPerPrefix && !evictWorst(s, e, u.metric + n.cost)) {
      reject(s, RejectReason.TableFull);
      if (e.routes.length === 0) s.table.delete(pk);
      return;
    }
    r = {
      neighbour: n,
      sourceKey: srcKey,
      originator: internKey(originator),
      seqno: u.seqno,
      refMetric: u.metric,
      signature: sig,
      expiresAt: s.now + holdMs,
      smoothed: METRIC_INFINITY,
      smoothedAt: s.now,
      smoothedTarget: METRIC_INFINITY,
    };
    addRoute(e, r);
    s.table.set(pk, e);
    s.byNeighbour.get(n.id)?.add(pk);
  } else {
    r.seqno = u.seqno;
    r.refMetric = u.metric;
    r.signature = sig;
    r.expiresAt = s.now + holdMs;
  }
  s.counters.add('update.accepted');
  const isFeasible = feasible(s, r);
  if (!isFeasible) s.counters.add('update.infeasible');
  armExpiry(s, r.expiresAt);
  reselect(s, e);
  satisfySeqnoRequest(s, e, srcKey, u.seqno);
  if (!isFeasible && bytesEqual(n.publicKey, originator)) echoNewerSeqno(s, n, e, srcKey);
}

/**
 * The originator itself announced its prefix with a seqno behind what we advertised for it: it
 * restarted with fresh state (RFC 8966 §3.5.5's case). Show it the newest Update of its own that
 * we hold, with its signature (from the verify cache), so it jumps past it at once; a node bumps
 * only past an echo that verifies under its own key, so nobody else can move its seqno this way.
 * Without that signature, ask for FD.seqno + 1 instead (one hop). One answer per stale Update
 * received, so this amplifies nothing.
 */
function echoNewerSeqno(s: EngineState, n: Neighbour, e: PrefixEntry, srcKey: string): void {
  const r = findRoute(e, n.id);
  const fd = s.sources.distance(srcKey);
  if (r === undefined || fd === undefined || seqnoCompare(r.seqno, fd.seqno) >= 0) return;
  const signature = s.verified.peek(verifyKey(srcKey, r.originator, fd.seqno));
  if (signature !== undefined) {
    s.counters.add('update.echo');
    s.outbox.queueUpdate(n.id, e.key, {
      type: TlvType.Update,
      flags: 0,
      interval: Math.round(s.cfg.updateIntervalMs / 10),
      seqno: fd.seqno,
      metric: Math.min(fd.metric, METRIC_INFINITY - 1),
      prefix: e.prefix,
      routerId: r.originator.subarray(0, 8),
      originator: r.originator,
      signature,
    });
    return;
  }
  s.counters.add('request.seqno.sent');
  s.outbox.queueTail(n.id, {
    type: TlvType.SeqnoRequest,
    seqno: seqnoPlus(fd.seqno, 1),
    hopCount: 1,
    routerId: r.originator.slice(0, 8),
    prefix: e.prefix,
    originator: r.originator,
  });
}

/**
 * Our own prefix came back. Someone else's key: reject. Ours and strictly newer than our seqno: we
 * restarted; jump past it. Ours at our current seqno is a neighbour whose best path to us is not
 * the direct link, announcing our route back: nothing to do. (Bumping on an equal seqno made that
 * neighbour re-announce the new seqno, which bumped it again, once per second for ever: each bump
 * a network-wide wave of triggered updates, most of the steady-state control load before.)
 */
function handleOwnPrefixEcho(
  s: EngineState,
  u: Update,
  originator: Uint8Array,
  signature: Uint8Array,
  srcKey: string,
): void {
  if (!bytesEqual(originator, s.deps.publicKey)) {
    reject(s, RejectReason.OwnPrefix);
    return;
  }
  if (seqnoCompare(u.seqno, s.xroute.seqno) <= 0) return;
  if (verifyUpdate(s, u, originator, signature, srcKey) === undefined) {
    reject(s, RejectReason.BadSignature);
    return;
  }
  bumpOwnSeqno(s, seqnoPlus(u.seqno, 1));
}

/** Removes the route a neighbour announced for a prefix (its retraction or a wildcard one). */
function retractFrom(s: EngineState, n: Neighbour, pk: string): void {
  const e = s.table.get(pk);
  if (e === undefined || flushRoute(e, n.id) === undefined) return;
  s.byNeighbour.get(n.id)?.delete(pk);
  s.counters.add('update.retraction');
  reselect(s, e);
}

/** Makes room for a route of metric `metric` by dropping the worst unselected one, if it is worse. */
function evictWorst(s: EngineState, e: PrefixEntry, metric: number): boolean {
  let worst: Route | undefined;
  for (const r of e.routes)
    if (r !== e.selected && (worst === undefined || routeMetric(r) > routeMetric(worst))) worst = r;
  if (worst === undefined || routeMetric(worst) <= metric) return false;
  flushRoute(e, worst.neighbour.id);
  s.byNeighbour.get(worst.neighbour.id)?.delete(e.key);
  return true;
}

/** The Expiry timer: drops expired routes (re-selecting their prefixes) and unused sources; re-arms the sweep. */
export function expireRoutes(s: EngineState): void {
  s.expiryDeadline = undefined;
  for (const e of [...s.table.values()]) {
    const expired = e.routes.filter((r) => r.expiresAt <= s.now);
    for (const r of expired) {
      flushRoute(e, r.neighbour.id);
      s.byNeighbour.get(r.neighbour.id)?.delete(e.key);
      s.counters.add('route.expired');
    }
    if (expired.length > 0) reselect(s, e);
    for (const r of e.routes) armExpiry(s, r.expiresAt);
  }
  const used = new Set<string>();
  for (const e of s.table.values()) for (const r of e.routes) used.add(r.sourceKey);
  s.sources.expireSources(s.now, (k) => used.has(k));
  const gc = s.sources.nextExpiry();
  if (gc !== undefined) armExpiry(s, gc);
}

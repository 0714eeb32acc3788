/**
 * Received Updates (RFC 8966 §3.5.3, babeld's update_route): the checks in order (fields, prefix,
 * originator, ownership, staleness, signature), storing the route, and re-selecting its prefix;
 * retractions (one prefix or wildcard), echoes of our own prefix, and route expiry. How a route is
 * chosen is route.ts and selection.ts; where it is stored, table.ts.
 *
 * Signature checks are not repeated: an Update whose (seqno, signature) a route of the same prefix
 * already carries was verified when that route was stored (routes hold only verified signatures,
 * and a prefix has one originator), so a periodic refresh, or the same new seqno heard from a
 * second neighbour, costs a 64-byte compare instead of an Ed25519 verification.
 */

import { updateSignedBytes } from '../wire/babel/signed.js';
import { AE, TlvType, type Update } from '../wire/babel/types.js';
import { bytesEqual, internSignature, isRoutablePrefix, prefixHas, prefixIdOf, sourceKey } from './_keys.js';
import { armExpiry, armRefresh, type EngineState, feasible, refreshAhead, reject } from './_state.js';
import {
  METRIC_INFINITY,
  ROUTE_HOLD_FACTOR,
  ROUTE_INTERVAL_MAX_MS,
  ROUTE_INTERVAL_MIN_MS,
  SOURCE_GC_TIME_MS,
} from './constants.js';
import { RejectReason } from './counters.js';
import { feasibleAgainst } from './feasibility.js';
import type { Neighbour } from './neighbour.js';
import { forgetUnstored, noteUnstored } from './refresh.js';
import { requestNewerSeqno, routeRequestTlv, satisfySeqnoRequest } from './request.js';
import { routeMetric } from './route.js';
import { reselect } from './selection.js';
import { bumpOwnSeqno } from './send.js';
import { isSeqno, seqnoCompare, seqnoPlus } from './seqno.js';
import { NONE } from './table.js';

/**
 * Returns the signature to store for `u` (the shared, interned copy) once it is known to verify,
 * from a route of slot `p` that already carries it or by verifying; undefined when it does not.
 */
function verifiedSignature(
  s: EngineState,
  p: number,
  u: Update,
  originator: Uint8Array,
  signature: Uint8Array,
): Uint8Array | undefined {
  const t = s.table;
  if (p !== NONE) {
    for (let r = t.head[p]!; r !== NONE; r = t.rNext[r]!) {
      const sig = t.sig(r);
      if (t.rSeqno[r] === u.seqno && sig !== undefined && bytesEqual(sig, signature)) {
        s.counters.add('verify.cached');
        return sig;
      }
    }
  }
  return verifyNow(s, u, originator, signature);
}

function verifyNow(
  s: EngineState,
  u: Update,
  originator: Uint8Array,
  signature: Uint8Array,
): Uint8Array | undefined {
  s.counters.add('verify.checked');
  if (!s.deps.verify(originator, updateSignedBytes(u.prefix, u.seqno, originator), signature))
    return undefined;
  return internSignature(originator, u.seqno, signature);
}

/** True when slot `p` has a feasible, unexpired, finite route other than `except`. */
function hasFeasibleAlternative(s: EngineState, p: number, except: number): boolean {
  const t = s.table;
  for (let r = t.head[p]!; r !== NONE; r = t.rNext[r]!) {
    if (r === except || t.expiresAt(r) <= s.now) continue;
    if (routeMetric(t, r) < METRIC_INFINITY && feasible(s, p, r)) return true;
  }
  return false;
}

/** An Update from neighbour `n`: checked, stored, and its prefix re-selected; or counted as a reject. */
export function handleUpdate(s: EngineState, n: Neighbour, u: Update): void {
  if (!isSeqno(u.seqno) || !Number.isInteger(u.metric) || u.metric < 0 || u.metric > METRIC_INFINITY) {
    reject(s, RejectReason.Malformed);
    return;
  }
  const t = s.table;
  const retraction = u.metric >= METRIC_INFINITY;
  if (retraction && u.prefix.ae === AE.Wildcard) {
    // RFC 8966 §4.6.9: a wildcard retraction withdraws every route the neighbour announced.
    for (const p of t.slotsVia(n.slot)) retractFrom(s, n, p);
    n.unstored = undefined;
    return;
  }
  if (!isRoutablePrefix(u.prefix)) {
    reject(s, RejectReason.BadPrefix);
    return;
  }
  const id = prefixIdOf(u.prefix);
  if (retraction) {
    // Unsigned by design: it only withdraws what this neighbour itself announced.
    if (id !== s.xroute.id) {
      const p = t.slotOfId(id);
      if (p !== NONE) retractFrom(s, n, p);
    }
    return;
  }
  const { originator, signature } = u;
  if (originator?.length !== 32 || signature?.length !== 64) {
    reject(s, RejectReason.NoOriginator);
    return;
  }
  if (id === s.xroute.id) {
    handleOwnPrefixEcho(s, u, originator, signature);
    return;
  }
  let p = t.slotOfId(id);
  // The slot's key was checked to own the prefix when the slot took it: no need to derive again.
  const known = p !== NONE && bytesEqual(t.originKey(p), originator);
  if (!known && !prefixHas(u.prefix, s.deps.addressOf(originator))) {
    reject(s, RejectReason.PrefixNotOwned);
    return;
  }
  const sameOrigin = p === NONE || known;
  if (!sameOrigin && t.head[p] !== NONE) {
    reject(s, RejectReason.OriginConflict);
    return;
  }
  const existing = p === NONE || !sameOrigin ? NONE : t.findRoute(p, n.slot);
  if (existing !== NONE && seqnoCompare(u.seqno, t.rSeqno[existing]!) < 0) {
    // A neighbour's seqno for a source never goes backwards while it holds the source: a replay.
    reject(s, RejectReason.Stale);
    return;
  }
  const sig = sameOrigin
    ? verifiedSignature(s, p, u, originator, signature)
    : verifyNow(s, u, originator, signature);
  if (sig === undefined) {
    reject(s, RejectReason.BadSignature);
    return;
  }
  if ((p === NONE || t.head[p] === NONE) && t.prefixes >= s.cfg.maxPrefixes) {
    reject(s, RejectReason.TableFull);
    return;
  }
  if (p === NONE) {
    if (t.slots >= s.cfg.maxSources) {
      reject(s, RejectReason.TableFull);
      return;
    }
    p = t.createSlot(u.prefix, originator, s.now);
    armExpiry(s, s.now + SOURCE_GC_TIME_MS);
  } else if (!sameOrigin) {
    // The other key's routes are gone: the prefix is a new source (no FD, nothing advertised).
    t.resetOrigin(p, originator, s.now);
  }
  t.touch(p, s.now);
  const sel = t.sel[p]!;
  if (
    existing !== NONE &&
    existing === sel &&
    feasible(s, p, existing) &&
    !feasibleAgainst(t.hasFd(p), t.fdSeqno[p]!, t.fdMetric[p]!, u.seqno, u.metric) &&
    !hasFeasibleAlternative(s, p, existing)
  ) {
    // RFC 8966 §3.5.4: an unfeasible update for the selected route from the same source MAY be
    // ignored. With no feasible alternative we do that and ask for a newer seqno: taking it made
    // the prefix starve (unreachable for a seqno round trip) whenever a metric rose past our FD,
    // on lossy links mostly at periodic refreshes. With an alternative, selection just moves.
    s.counters.add('update.unfeasible-ignored');
    requestNewerSeqno(s, p, existing);
    return;
  }
  const holdMs = holdTimeMs(u.interval);
  let r = existing;
  if (r === NONE) {
    if (t.routeCount(p) >= s.cfg.maxRoutesPerPrefix && !evictWorst(s, p, u.metric + n.cost)) {
      reject(s, RejectReason.TableFull);
      noteUnstored(n, p, u.seqno, u.metric);
      freeIfUnused(s, p);
      return;
    }
    r = t.addRoute(p, n.slot, s.now);
  }
  forgetUnstored(n, p);
  t.rSeqno[r] = u.seqno;
  t.rRef[r] = u.metric;
  t.setSig(r, sig);
  t.setExpiresAt(r, s.now + holdMs);
  s.counters.add('update.accepted');
  const isFeasible = feasible(s, p, r);
  if (!isFeasible) s.counters.add('update.infeasible');
  armExpiry(s, t.expiresAt(r));
  reselect(s, p);
  if (t.sel[p] === r) armRefresh(s, p);
  if (s.requests.size > 0) satisfySeqnoRequest(s, p, sourceKey(t.key(p), originator), u.seqno);
  if (!isFeasible && bytesEqual(n.publicKey, originator)) echoNewerSeqno(s, n, p);
}

/** How long a route lives without a refresh, from the interval (cs) its neighbour announced. */
export function holdTimeMs(intervalCs: number): number {
  return (
    Math.min(ROUTE_INTERVAL_MAX_MS, Math.max(ROUTE_INTERVAL_MIN_MS, intervalCs * 10)) * ROUTE_HOLD_FACTOR
  );
}

/** Frees slot `p` when it holds neither a route nor a feasibility distance. */
function freeIfUnused(s: EngineState, p: number): void {
  const t = s.table;
  if (t.head[p] === NONE && !t.hasFd(p) && t.sel[p] === NONE) t.freeSlot(p);
}

/**
 * The originator itself announced its prefix with a seqno behind what we advertised for it: it
 * restarted with fresh state (RFC 8966 §3.5.5's case). Show it the newest Update of its own that
 * we hold, with its signature, so it jumps past it at once; a node bumps only past an echo that
 * verifies under its own key, so nobody else can move its seqno this way. Without that signature,
 * ask for FD.seqno + 1 instead (one hop). One answer per stale Update received, so this amplifies
 * nothing.
 */
function echoNewerSeqno(s: EngineState, n: Neighbour, p: number): void {
  const t = s.table;
  const r = t.findRoute(p, n.slot);
  if (r === NONE || !t.hasFd(p) || seqnoCompare(t.rSeqno[r]!, t.fdSeqno[p]!) >= 0) return;
  const origin = t.originKey(p);
  const fdSeqno = t.fdSeqno[p]!;
  const signature = t.fdSignature(p);
  const prefix = t.prefix(p);
  if (signature !== undefined) {
    s.counters.add('update.echo');
    s.outbox.queueUpdate(n.id, t.key(p), {
      type: TlvType.Update,
      flags: 0,
      interval: Math.round(s.cfg.updateIntervalMs / 10),
      seqno: fdSeqno,
      metric: Math.min(t.fdMetric[p]!, METRIC_INFINITY - 1),
      prefix,
      routerId: t.originRouterId(p),
      originator: origin,
      signature,
    });
    return;
  }
  s.counters.add('request.seqno.sent');
  s.outbox.queueTail(n.id, {
    type: TlvType.SeqnoRequest,
    seqno: seqnoPlus(fdSeqno, 1),
    hopCount: 1,
    routerId: origin.slice(0, 8),
    prefix,
    originator: origin,
  });
}

/**
 * Our own prefix came back. Someone else's key: reject. Ours and strictly newer than our seqno: we
 * restarted; jump past it. Ours at our current seqno is a neighbour whose best path to us is not
 * the direct link, announcing our route back: nothing to do. (Bumping on an equal seqno made that
 * neighbour re-announce the new seqno, which bumped it again, once per second for ever: each bump
 * a network-wide wave of triggered updates, most of the steady-state control load before.)
 */
function handleOwnPrefixEcho(s: EngineState, u: Update, originator: Uint8Array, signature: Uint8Array): void {
  if (!bytesEqual(originator, s.deps.publicKey)) {
    reject(s, RejectReason.OwnPrefix);
    return;
  }
  if (seqnoCompare(u.seqno, s.xroute.seqno) <= 0) return;
  if (verifyNow(s, u, originator, signature) === undefined) {
    reject(s, RejectReason.BadSignature);
    return;
  }
  bumpOwnSeqno(s, seqnoPlus(u.seqno, 1));
}

/** Removes the route a neighbour announced for slot `p` (its retraction or a wildcard one). */
function retractFrom(s: EngineState, n: Neighbour, p: number): void {
  forgetUnstored(n, p);
  const t = s.table;
  const r = t.findRoute(p, n.slot);
  if (r === NONE) return;
  t.removeRoute(p, r);
  s.counters.add('update.retraction');
  reselect(s, p);
}

/** Makes room for a route of metric `metric` by dropping the worst unselected one, if it is worse. */
function evictWorst(s: EngineState, p: number, metric: number): boolean {
  const t = s.table;
  let worst = NONE;
  let worstM = -1;
  for (let r = t.head[p]!; r !== NONE; r = t.rNext[r]!) {
    if (r === t.sel[p]) continue;
    const m = routeMetric(t, r);
    if (worst === NONE || m > worstM) {
      worst = r;
      worstM = m;
    }
  }
  if (worst === NONE || worstM <= metric) return false;
  const m = t.nbr[t.rNbr[worst]!];
  if (m !== undefined) noteUnstored(m, p, t.rSeqno[worst]!, t.rRef[worst]!);
  t.removeRoute(p, worst);
  return true;
}

/** The Expiry timer: drops expired routes (re-selecting their prefixes) and unused sources; re-arms the sweep. */
export function expireRoutes(s: EngineState): void {
  const t = s.table;
  s.expiryDeadline = undefined;
  for (let p = 0; p < t.limit; p++) {
    if (!t.isLive(p)) continue;
    let expired = false;
    for (let r = t.head[p]!; r !== NONE; ) {
      const next = t.rNext[r]!;
      if (t.expiresAt(r) <= s.now) {
        t.removeRoute(p, r);
        s.counters.add('route.expired');
        expired = true;
      }
      r = next;
    }
    if (expired) reselect(s, p);
    if (!t.isLive(p)) continue;
    for (let r = t.head[p]!; r !== NONE; r = t.rNext[r]!) armExpiry(s, t.expiresAt(r));
    askForRefresh(s, p);
    if (t.head[p] === NONE && t.sel[p] === NONE) {
      // Only a feasibility distance left: forgotten SOURCE_GC_TIME_MS after its last use.
      const gcAt = t.usedAt(p) + SOURCE_GC_TIME_MS;
      if (gcAt <= s.now) t.freeSlot(p);
      else armExpiry(s, gcAt);
    }
  }
}

/**
 * Part of the expiry sweep: a selected route within refreshAhead() of its expiry gets a one-hop
 * route request to its neighbour (answered with an acknowledged Update), and a second one at half
 * that; the sweep is re-armed for the next.
 */
function askForRefresh(s: EngineState, p: number): void {
  const t = s.table;
  const sel = t.sel[p]!;
  if (sel < 0) return;
  const asks = t.refreshAsks(p);
  if (asks >= 2) return;
  const expiresAt = t.expiresAt(sel);
  const ahead = refreshAhead(s) / (asks + 1);
  if (expiresAt - s.now > ahead) {
    armExpiry(s, expiresAt - ahead);
    return;
  }
  s.counters.add('request.route.refresh');
  s.outbox.queueTail(t.nbr[t.rNbr[sel]!]!.id, routeRequestTlv(t.prefix(p), 1));
  t.setRefreshAsks(p, asks + 1);
  if (asks + 1 < 2) armExpiry(s, expiresAt - refreshAhead(s) / 2);
}

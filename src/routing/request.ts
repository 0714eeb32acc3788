/**
 * Route requests and seqno requests (RFC 8966 §3.8, babeld's handle_request): asking for a route
 * we lack (`wantRoute`), answering, forwarding or dropping requests from neighbours, asking for a
 * newer seqno when a prefix starves, and answering whoever asked once the answer arrives. The
 * pending-request table itself (dedup, resend, expiry) is resend.ts.
 */
import { AE, type Prefix, type RouteRequest, type SeqnoRequest, TlvType } from '../wire/babel/types.js';
import { bytesEqual, isRoutablePrefix, prefixIdOf, prefixKey, sourceKey, subnetOf } from './_keys.js';
import { type EngineState, reject, slotOf } from './_state.js';
import type { NeighbourId } from './api.js';
import {
  METRIC_INFINITY,
  ROUTE_REQUEST_HOP_COUNT,
  SEQNO_REQUEST_HOP_COUNT,
  WILDCARD_REQUEST_MIN_INTERVAL_MS,
} from './constants.js';
import { RejectReason } from './counters.js';
import type { Neighbour } from './neighbour.js';
import { type PendingRequest, routeRequestKey, seqnoRequestKey } from './resend.js';
import { routeMetric } from './route.js';
import { announced, bumpOwnSeqno, ownUpdate, sendFullDump, splitHorizon } from './send.js';
import { isSeqno, seqnoCompare, seqnoPlus } from './seqno.js';
import { NONE } from './table.js';

/** Returns a Route Request TLV for `prefix`. */
export function routeRequestTlv(prefix: Prefix, hopCount: number): RouteRequest {
  return { type: TlvType.RouteRequest, prefix, hopCount };
}

/** Returns the Seqno Request TLV for a pending request. */
export function seqnoRequestTlv(req: PendingRequest): SeqnoRequest {
  return {
    type: TlvType.SeqnoRequest,
    seqno: req.seqno ?? 0,
    hopCount: req.hopCount,
    routerId: (req.originator ?? new Uint8Array(8)).slice(0, 8),
    prefix: req.prefix,
    originator: req.originator,
  };
}

/** The data plane wants a route to `address`: ask every neighbour (or the starved source's ones). */
export function handleWantRoute(s: EngineState, address: Uint8Array): void {
  if (address.length !== 16) {
    reject(s, RejectReason.Malformed);
    return;
  }
  const prefix = subnetOf(address);
  if (!isRoutablePrefix(prefix)) {
    reject(s, RejectReason.BadPrefix);
    return;
  }
  if (prefixIdOf(prefix) === s.xroute.id) return;
  const p = slotOf(s, prefix);
  if (p !== NONE && s.table.sel[p]! >= 0) return;
  if (p !== NONE && checkStarvation(s, p)) return;
  const pk = prefixKey(prefix);
  const key = routeRequestKey(pk);
  const existing = s.requests.findRequest(key);
  if (existing !== undefined) {
    s.requests.adoptRequest(existing, s.now);
    return;
  }
  const targets = [...s.neighbours.keys()];
  const req = s.requests.addRequest(
    {
      kind: 'route',
      key,
      prefix,
      prefixKey: pk,
      originator: undefined,
      seqno: undefined,
      hopCount: ROUTE_REQUEST_HOP_COUNT,
      originated: true,
      targets,
    },
    s.now,
  );
  if (req === undefined) {
    s.counters.add('request.route.dropped');
    return;
  }
  s.counters.add('request.route.sent');
  for (const id of targets) s.outbox.queueTail(id, routeRequestTlv(prefix, ROUTE_REQUEST_HOP_COUNT));
}

/** A Route Request from `n`: a wildcard dump, an answer from our table, or a forwarded request. */
export function handleRouteRequest(s: EngineState, n: Neighbour, req: RouteRequest): void {
  if (req.prefix.ae === AE.Wildcard) {
    // A full dump, at most once per WILDCARD_REQUEST_MIN_INTERVAL_MS per neighbour (an amplifier otherwise).
    if (
      n.lastWildcardAnswerAt !== undefined &&
      s.now - n.lastWildcardAnswerAt < WILDCARD_REQUEST_MIN_INTERVAL_MS
    ) {
      s.counters.add('request.route.dropped');
      return;
    }
    n.lastWildcardAnswerAt = s.now;
    s.counters.add('request.route.answered');
    // With retractions of what goes through the requester, so that what it holds from us is
    // exactly what we announce (refresh.ts).
    sendFullDump(s, n, true);
    return;
  }
  if (!isRoutablePrefix(req.prefix)) {
    reject(s, RejectReason.BadPrefix);
    return;
  }
  if (prefixIdOf(req.prefix) === s.xroute.id) {
    s.counters.add('request.route.answered');
    s.outbox.queueUpdate(n.id, s.xroute.key, ownUpdate(s));
    return;
  }
  const p = slotOf(s, req.prefix);
  if (p !== NONE && s.table.sel[p]! >= 0) {
    if (splitHorizon(s, p, n)) {
      // Our route goes through the requester: it is no answer for it.
      s.counters.add('request.route.dropped');
      return;
    }
    const u = announced(s, p);
    if (u !== undefined) s.outbox.queueUpdate(n.id, s.table.key(p), u);
    s.counters.add('request.route.answered');
    return;
  }
  const pk = prefixKey(req.prefix);
  const hops = req.hopCount;
  if (hops === undefined || hops < 2) {
    s.counters.add('request.route.dropped');
    return;
  }
  const key = routeRequestKey(pk);
  const existing = s.requests.findRequest(key);
  if (existing !== undefined) {
    s.requests.addRequester(existing, n.id);
    s.counters.add('request.route.deduped');
    return;
  }
  const targets = [...s.neighbours.keys()].filter((id) => id !== n.id);
  if (targets.length === 0) {
    s.counters.add('request.route.dropped');
    return;
  }
  const pending = s.requests.addRequest(
    {
      kind: 'route',
      key,
      prefix: req.prefix,
      prefixKey: pk,
      originator: undefined,
      seqno: undefined,
      hopCount: hops - 1,
      originated: false,
      requester: n.id,
      targets,
    },
    s.now,
  );
  if (pending === undefined) {
    s.counters.add('request.route.dropped');
    return;
  }
  s.counters.add('request.route.forwarded');
  for (const id of targets) s.outbox.queueTail(id, routeRequestTlv(req.prefix, hops - 1));
}

/** A prefix just got a selected route: answer whoever asked for it, and forget the request. */
export function answerRouteRequest(s: EngineState, p: number, triggered: boolean): void {
  if (s.requests.size === 0) return;
  const key = routeRequestKey(s.table.key(p));
  const req = s.requests.findRequest(key);
  if (req === undefined) return;
  s.requests.removeRequest(key);
  if (req.originated) s.counters.add('request.route.satisfied');
  if (triggered) return; // the triggered update already went to every neighbour but the next hop
  for (const id of req.requesters) {
    const n = s.neighbours.get(id);
    if (n === undefined || splitHorizon(s, p, n)) continue;
    const u = announced(s, p);
    if (u !== undefined) s.outbox.queueUpdate(id, s.table.key(p), u);
  }
}

/** Resolves the originator a seqno request names: the full key if present, else by 8-byte router id. */
function requestOriginator(s: EngineState, req: SeqnoRequest, p: number): Uint8Array | undefined {
  if (req.originator !== undefined) return req.originator.length === 32 ? req.originator : undefined;
  const matches = (k: Uint8Array) => req.routerId.length === 8 && bytesEqual(k.subarray(0, 8), req.routerId);
  if (matches(s.deps.publicKey) && prefixIdOf(req.prefix) === s.xroute.id) return s.deps.publicKey;
  const origin = p === NONE ? undefined : s.table.originKey(p);
  return origin !== undefined && matches(origin) ? origin : undefined;
}

/**
 * A Seqno Request from `n` (RFC 8966 §3.8.1.2): for our prefix, bump to it; answered by a route
 * at least as new; otherwise forwarded toward the originator.
 */
export function handleSeqnoRequest(s: EngineState, n: Neighbour, req: SeqnoRequest): void {
  if (!isRoutablePrefix(req.prefix) || !isSeqno(req.seqno)) {
    reject(s, RejectReason.BadPrefix);
    return;
  }
  const t = s.table;
  const p = slotOf(s, req.prefix);
  const originator = requestOriginator(s, req, p);
  if (originator === undefined) {
    s.counters.add('request.seqno.dropped');
    return;
  }
  if (prefixIdOf(req.prefix) === s.xroute.id) {
    if (!bytesEqual(originator, s.deps.publicKey)) {
      s.counters.add('request.seqno.dropped');
      return;
    }
    s.counters.add('request.seqno.answered');
    if (seqnoCompare(req.seqno, s.xroute.seqno) > 0) {
      bumpOwnSeqno(s, req.seqno);
      if (s.xroute.pendingBump !== undefined) s.counters.add('seqno.bump-deferred');
    } else {
      s.outbox.queueUpdate(n.id, s.xroute.key, ownUpdate(s));
    }
    return;
  }
  const sel = p === NONE ? NONE : t.sel[p]!;
  if (sel >= 0 && (!bytesEqual(t.originKey(p), originator) || seqnoCompare(t.rSeqno[sel]!, req.seqno) >= 0)) {
    // RFC 8966 §3.8.1.2: a route from another originator, or one at least as new, answers it.
    if (!splitHorizon(s, p, n)) {
      const u = announced(s, p);
      if (u !== undefined) s.outbox.queueUpdate(n.id, t.key(p), u);
      s.counters.add('request.seqno.answered');
      return;
    }
  }
  if (req.hopCount < 2 || p === NONE) {
    s.counters.add('request.seqno.dropped');
    return;
  }
  const pk = t.key(p);
  const srcKey = sourceKey(pk, originator);
  const key = seqnoRequestKey(srcKey);
  const existing = s.requests.findRequest(key);
  // Forward toward the originator: the selected route's neighbour, else the best other route.
  let next = sel >= 0 && t.rNbr[sel] !== n.slot ? sel : NONE;
  if (next === NONE && bytesEqual(t.originKey(p), originator)) {
    for (let r = t.head[p]!; r !== NONE; r = t.rNext[r]!) {
      if (t.rNbr[r] === n.slot || routeMetric(t, r) >= METRIC_INFINITY) continue;
      if (next === NONE || routeMetric(t, r) < routeMetric(t, next)) next = r;
    }
  }
  const nextId = next === NONE ? undefined : t.nbr[t.rNbr[next]!]!.id;
  if (
    existing !== undefined &&
    seqnoCompare(existing.seqno ?? 0, req.seqno) >= 0 &&
    // A requester asking again (its resend) did not get the answer: the forwarded copy or the
    // answer was lost downstream, so it is forwarded again; other duplicates are suppressed.
    // Our own request absorbs others only while it is still being sent somewhere: one made while
    // we had no route (a partition) has no targets and, once its resends are spent, waited out its
    // 30 s lifetime swallowing every request that needed to pass through us after the heal.
    (existing.originated
      ? existing.targets.length > 0 && !s.requests.isSpent(existing)
      : !existing.requesters.has(n.id)) &&
    // ...and only while a copy went where one would go now. After a crash the route toward the
    // originator moves; a copy sent along the old one (often to a neighbour now asking us) is
    // never answered, and absorbing every request behind it held a scale-free hub crash to the
    // requesters' 2 s resend (2.4 s instead of 0.5 s).
    (nextId === undefined || existing.targets.includes(nextId))
  ) {
    s.requests.addRequester(existing, n.id);
    s.counters.add('request.seqno.deduped');
    return;
  }
  if (nextId === undefined) {
    s.counters.add('request.seqno.dropped');
    return;
  }
  let pending = existing;
  if (pending !== undefined) {
    if (pending.seqno === undefined || seqnoCompare(req.seqno, pending.seqno) > 0) pending.seqno = req.seqno;
    pending.hopCount = req.hopCount - 1;
    s.requests.addRequester(pending, n.id);
    if (!pending.targets.includes(nextId)) pending.targets.push(nextId);
  } else {
    pending = s.requests.addRequest(
      {
        kind: 'seqno',
        key,
        prefix: req.prefix,
        prefixKey: pk,
        originator: Uint8Array.from(originator),
        seqno: req.seqno,
        hopCount: req.hopCount - 1,
        originated: false,
        requester: n.id,
        targets: [nextId],
      },
      s.now,
    );
    if (pending === undefined) {
      s.counters.add('request.seqno.dropped');
      return;
    }
  }
  s.counters.add('request.seqno.forwarded');
  s.outbox.queueTail(nextId, seqnoRequestTlv(pending));
}

/**
 * Starvation (RFC 8966 §3.8.2.1): no selectable route, but routes that are only infeasible. Asks
 * their neighbours for FD.seqno + 1. Returns true when a request is (or already was) pending.
 */
export function checkStarvation(s: EngineState, p: number): boolean {
  const t = s.table;
  if (t.sel[p]! >= 0) return false;
  let best = NONE;
  let bestM = METRIC_INFINITY;
  for (let r = t.head[p]!; r !== NONE; r = t.rNext[r]!) {
    const m = routeMetric(t, r);
    if (m >= METRIC_INFINITY || t.expiresAt(r) <= s.now) continue;
    if (best === NONE || m < bestM) {
      best = r;
      bestM = m;
    }
  }
  if (best === NONE) return false;
  return requestNewerSeqno(s, p, best);
}

/**
 * Asks the neighbours holding slot `p`'s source for FD.seqno + 1 (starvation, or an unfeasible
 * update for the selected route `best`); returns true when a request is (or already was) pending.
 */
export function requestNewerSeqno(s: EngineState, p: number, best: number): boolean {
  const t = s.table;
  const origin = t.originKey(p);
  const key = seqnoRequestKey(sourceKey(t.key(p), origin));
  const existing = s.requests.findRequest(key);
  const targets = starvedTargets(s, p);
  const seqno = seqnoPlus(t.hasFd(p) ? t.fdSeqno[p]! : t.rSeqno[best]!, 1);
  if (existing !== undefined) {
    refreshStarvedRequest(s, existing, targets, seqno);
    return true;
  }
  const req = s.requests.addRequest(
    {
      kind: 'seqno',
      key,
      prefix: t.prefix(p),
      prefixKey: t.key(p),
      originator: origin,
      seqno,
      hopCount: SEQNO_REQUEST_HOP_COUNT,
      originated: true,
      targets,
    },
    s.now,
  );
  if (req === undefined) {
    s.counters.add('request.seqno.dropped');
    return false;
  }
  s.counters.add('request.seqno.sent');
  for (const id of targets) s.outbox.queueTail(id, seqnoRequestTlv(req));
  return true;
}

/**
 * Starvation with a request already pending for the source. A request made earlier can be spent
 * (its resends used up while it waits out its lifetime) or can have gone to other neighbours than
 * the ones holding the routes now: typically the originator restarted after an outage, and the
 * request from when it went away still blocks a new one. Such a request would only be answered
 * after it expired and some later event re-ran selection (the next periodic update, ~60 s), so:
 * a spent request is sent again to every target with a fresh resend schedule; otherwise it goes to
 * the targets not asked yet. It asks for at least `seqno`. Bounded: at most one send per target per
 * resend slot.
 */
function refreshStarvedRequest(
  s: EngineState,
  req: PendingRequest,
  targets: NeighbourId[],
  seqno: number,
): void {
  if (req.seqno === undefined || seqnoCompare(seqno, req.seqno) > 0) req.seqno = seqno;
  if (!req.originated) req.hopCount = SEQNO_REQUEST_HOP_COUNT;
  let to: NeighbourId[];
  if (s.requests.isSpent(req)) {
    s.requests.restartRequest(req, s.now);
    req.targets = targets;
    to = targets;
    s.counters.add('request.seqno.renewed');
  } else {
    s.requests.adoptRequest(req, s.now);
    to = targets.filter((id) => !req.targets.includes(id));
    req.targets.push(...to);
  }
  for (const id of to) s.outbox.queueTail(id, seqnoRequestTlv(req));
}

/** Neighbours that announced a finite route for slot `p` (all from its one originator). */
function starvedTargets(s: EngineState, p: number): NeighbourId[] {
  const t = s.table;
  const out: NeighbourId[] = [];
  for (let r = t.head[p]!; r !== NONE; r = t.rNext[r]!) {
    if (routeMetric(t, r) < METRIC_INFINITY) out.push(t.nbr[t.rNbr[r]!]!.id);
  }
  return out;
}

/** An accepted Update with `seqno` for a source: a pending seqno request it satisfies is answered and dropped. */
export function satisfySeqnoRequest(s: EngineState, p: number, srcKey: string, seqno: number): void {
  const key = seqnoRequestKey(srcKey);
  const req = s.requests.findRequest(key);
  if (req === undefined || seqnoCompare(seqno, req.seqno ?? 0) < 0) return;
  s.requests.removeRequest(key);
  if (req.originated) s.counters.add('request.seqno.satisfied');
  const t = s.table;
  const sel = t.sel[p]!;
  if (sel < 0 || seqnoCompare(t.rSeqno[sel]!, req.seqno ?? 0) < 0) return;
  const pk = t.key(p);
  for (const id of req.requesters) {
    const n = s.neighbours.get(id);
    if (n === undefined || splitHorizon(s, p, n) || s.outbox.hasUpdate(id, pk)) continue;
    const u = announced(s, p);
    if (u !== undefined) s.outbox.queueUpdate(id, pk, u);
  }
}

/** The Requests timer: expires old requests and resends the originated ones that are due. */
export function expiredRequests(s: EngineState): void {
  const t = s.table;
  const { resend, expired } = s.requests.expireRequests(s.now);
  for (const r of expired) {
    s.counters.add(`request.${r.kind}.expired`);
    // Still starving when our own request ran out (all its copies or answers lost): ask again,
    // with a fresh schedule, rather than wait for an update that re-runs selection (up to 60 s).
    const p = r.kind === 'seqno' && r.originated ? slotOf(s, r.prefix) : NONE;
    if (p !== NONE && t.sel[p]! < 0 && checkStarvation(s, p)) {
      s.counters.add('request.seqno.renewed');
    }
  }
  for (const r of resend) {
    const p = slotOf(s, r.prefix);
    const selected = p !== NONE && t.sel[p]! >= 0;
    if (r.kind === 'route') {
      if (selected) continue;
      r.targets = [...s.neighbours.keys()];
      for (const id of r.targets) s.outbox.queueTail(id, routeRequestTlv(r.prefix, r.hopCount));
    } else {
      if (p === NONE || selected || r.originator === undefined) continue;
      r.targets = starvedTargets(s, p);
      for (const id of r.targets) s.outbox.queueTail(id, seqnoRequestTlv(r));
    }
    s.counters.add(`request.${r.kind}.resent`);
  }
}

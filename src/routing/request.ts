/**
 * Route requests and seqno requests (RFC 8966 §3.8, babeld's handle_request): asking for a route
 * we lack (`wantRoute`), answering, forwarding or dropping requests from neighbours, asking for a
 * newer seqno when a prefix starves, and answering whoever asked once the answer arrives. The
 * pending-request table itself (dedup, resend, expiry) is resend.ts.
 */
import { AE, type Prefix, type RouteRequest, type SeqnoRequest, TlvType } from '../wire/babel/types.js';
import { bytesEqual, isRoutablePrefix, prefixKey, sourceKey, subnetOf } from './_keys.js';
import { type EngineState, reject } from './_state.js';
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
import { type PrefixEntry, type Route, routeMetric } from './route.js';
import { advertise, bumpOwnSeqno, ownUpdate, sendFullDump, splitHorizon } from './send.js';
import { isSeqno, seqnoCompare, seqnoPlus } from './seqno.js';

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
  const pk = prefixKey(prefix);
  if (pk === s.xroute.key) return;
  const e = s.table.get(pk);
  if (e?.selected !== undefined) return;
  if (e !== undefined && checkStarvation(s, e)) return;
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
    sendFullDump(s, n);
    return;
  }
  if (!isRoutablePrefix(req.prefix)) {
    reject(s, RejectReason.BadPrefix);
    return;
  }
  const pk = prefixKey(req.prefix);
  if (pk === s.xroute.key) {
    s.counters.add('request.route.answered');
    s.outbox.queueUpdate(n.id, pk, ownUpdate(s));
    return;
  }
  const e = s.table.get(pk);
  if (e?.selected !== undefined) {
    if (splitHorizon(s, e, n.id)) {
      // Our route goes through the requester: it is no answer for it.
      s.counters.add('request.route.dropped');
      return;
    }
    const u = advertise(s, e);
    if (u !== undefined) s.outbox.queueUpdate(n.id, pk, u);
    s.counters.add('request.route.answered');
    return;
  }
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
export function answerRouteRequest(s: EngineState, e: PrefixEntry, triggered: boolean): void {
  const key = routeRequestKey(e.key);
  const req = s.requests.findRequest(key);
  if (req === undefined) return;
  s.requests.removeRequest(key);
  if (req.originated) s.counters.add('request.route.satisfied');
  if (triggered) return; // the triggered update already went to every neighbour but the next hop
  for (const id of req.requesters) {
    if (!s.neighbours.has(id) || splitHorizon(s, e, id)) continue;
    const u = advertise(s, e);
    if (u !== undefined) s.outbox.queueUpdate(id, e.key, u);
  }
}

/** Resolves the originator a seqno request names: the full key if present, else by 8-byte router id. */
function requestOriginator(
  s: EngineState,
  req: SeqnoRequest,
  e: PrefixEntry | undefined,
): Uint8Array | undefined {
  if (req.originator !== undefined) return req.originator.length === 32 ? req.originator : undefined;
  const matches = (k: Uint8Array) => req.routerId.length === 8 && bytesEqual(k.subarray(0, 8), req.routerId);
  if (matches(s.deps.publicKey) && prefixKey(req.prefix) === s.xroute.key) return s.deps.publicKey;
  for (const r of e?.routes ?? []) if (matches(r.originator)) return r.originator;
  return undefined;
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
  const pk = prefixKey(req.prefix);
  const e = s.table.get(pk);
  const originator = requestOriginator(s, req, e);
  if (originator === undefined) {
    s.counters.add('request.seqno.dropped');
    return;
  }
  if (pk === s.xroute.key) {
    if (!bytesEqual(originator, s.deps.publicKey)) {
      s.counters.add('request.seqno.dropped');
      return;
    }
    s.counters.add('request.seqno.answered');
    if (seqnoCompare(req.seqno, s.xroute.seqno) > 0) {
      bumpOwnSeqno(s, req.seqno);
      if (s.xroute.pendingBump !== undefined) s.counters.add('seqno.bump-deferred');
    } else {
      s.outbox.queueUpdate(n.id, pk, ownUpdate(s));
    }
    return;
  }
  const sel = e?.selected;
  if (
    e !== undefined &&
    sel !== undefined &&
    (!bytesEqual(sel.originator, originator) || seqnoCompare(sel.seqno, req.seqno) >= 0)
  ) {
    // RFC 8966 §3.8.1.2: a route from another originator, or one at least as new, answers it.
    if (!splitHorizon(s, e, n.id)) {
      const u = advertise(s, e);
      if (u !== undefined) s.outbox.queueUpdate(n.id, pk, u);
      s.counters.add('request.seqno.answered');
      return;
    }
  }
  if (req.hopCount < 2 || e === undefined) {
    s.counters.add('request.seqno.dropped');
    return;
  }
  const srcKey = sourceKey(pk, originator);
  const key = seqnoRequestKey(srcKey);
  const existing = s.requests.findRequest(key);
  if (
    existing !== undefined &&
    seqnoCompare(existing.seqno ?? 0, req.seqno) >= 0 &&
    // A requester asking again (its resend) did not get the answer: the forwarded copy or the
    // answer was lost downstream, so it is forwarded again; other duplicates are suppressed.
    (existing.originated || !existing.requesters.has(n.id))
  ) {
    s.requests.addRequester(existing, n.id);
    s.counters.add('request.seqno.deduped');
    return;
  }
  // Forward toward the originator: the selected route's neighbour, else the best other route.
  let next: Route | undefined = sel !== undefined && sel.neighbour.id !== n.id ? sel : undefined;
  if (next === undefined) {
    for (const r of e.routes) {
      if (r.neighbour.id === n.id || !bytesEqual(r.originator, originator)) continue;
      if (routeMetric(r) >= METRIC_INFINITY) continue;
      if (next === undefined || routeMetric(r) < routeMetric(next)) next = r;
    }
  }
  if (next === undefined) {
    s.counters.add('request.seqno.dropped');
    return;
  }
  let pending = existing;
  if (pending !== undefined) {
    if (pending.seqno === undefined || seqnoCompare(req.seqno, pending.seqno) > 0) pending.seqno = req.seqno;
    pending.hopCount = req.hopCount - 1;
    s.requests.addRequester(pending, n.id);
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
        targets: [next.neighbour.id],
      },
      s.now,
    );
    if (pending === undefined) {
      s.counters.add('request.seqno.dropped');
      return;
    }
  }
  s.counters.add('request.seqno.forwarded');
  s.outbox.queueTail(next.neighbour.id, seqnoRequestTlv(pending));
}

/**
 * Starvation (RFC 8966 §3.8.2.1): no selectable route, but routes that are only infeasible. Asks
 * their neighbours for FD.seqno + 1. Returns true when a request is (or already was) pending.
 */
export function checkStarvation(s: EngineState, e: PrefixEntry): boolean {
  if (e.selected !== undefined) return false;
  let best: Route | undefined;
  for (const r of e.routes) {
    if (routeMetric(r) >= METRIC_INFINITY || r.expiresAt <= s.now) continue;
    if (best === undefined || routeMetric(r) < routeMetric(best)) best = r;
  }
  if (best === undefined) return false;
  return requestNewerSeqno(s, e, best);
}

/**
 * Asks the neighbours holding `best`'s source for FD.seqno + 1 (starvation, or an unfeasible
 * update for the selected route); returns true when a request is (or already was) pending.
 */
export function requestNewerSeqno(s: EngineState, e: PrefixEntry, best: Route): boolean {
  const fd = s.sources.distance(best.sourceKey);
  const key = seqnoRequestKey(best.sourceKey);
  const existing = s.requests.findRequest(key);
  const targets = starvedTargets(e, best.originator);
  const seqno = seqnoPlus(fd?.seqno ?? best.seqno, 1);
  if (existing !== undefined) {
    refreshStarvedRequest(s, existing, targets, seqno);
    return true;
  }
  const req = s.requests.addRequest(
    {
      kind: 'seqno',
      key,
      prefix: e.prefix,
      prefixKey: e.key,
      originator: best.originator,
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

/** Neighbours that announced a finite route from this originator for the prefix. */
function starvedTargets(e: PrefixEntry, originator: Uint8Array): NeighbourId[] {
  const out: NeighbourId[] = [];
  for (const r of e.routes) {
    if (routeMetric(r) < METRIC_INFINITY && bytesEqual(r.originator, originator)) out.push(r.neighbour.id);
  }
  return out;
}

/** An accepted Update with `seqno` for a source: a pending seqno request it satisfies is answered and dropped. */
export function satisfySeqnoRequest(s: EngineState, e: PrefixEntry, srcKey: string, seqno: number): void {
  const key = seqnoRequestKey(srcKey);
  const req = s.requests.findRequest(key);
  if (req === undefined || seqnoCompare(seqno, req.seqno ?? 0) < 0) return;
  s.requests.removeRequest(key);
  if (req.originated) s.counters.add('request.seqno.satisfied');
  const sel = e.selected;
  if (sel === undefined || seqnoCompare(sel.seqno, req.seqno ?? 0) < 0) return;
  for (const id of req.requesters) {
    if (!s.neighbours.has(id) || splitHorizon(s, e, id) || s.outbox.hasUpdate(id, e.key)) continue;
    const u = advertise(s, e);
    if (u !== undefined) s.outbox.queueUpdate(id, e.key, u);
  }
}

/** The Requests timer: expires old requests and resends the originated ones that are due. */
export function expiredRequests(s: EngineState): void {
  const { resend, expired } = s.requests.expireRequests(s.now);
  for (const r of expired) {
    s.counters.add(`request.${r.kind}.expired`);
    // Still starving when our own request ran out (all its copies or answers lost): ask again,
    // with a fresh schedule, rather than wait for an update that re-runs selection (up to 60 s).
    const e = r.kind === 'seqno' && r.originated ? s.table.get(r.prefixKey) : undefined;
    if (e !== undefined && e.selected === undefined && checkStarvation(s, e)) {
      s.counters.add('request.seqno.renewed');
    }
  }
  for (const r of resend) {
    const e = s.table.get(r.prefixKey);
    if (r.kind === 'route') {
      if (e?.selected !== undefined) continue;
      r.targets = [...s.neighbours.keys()];
      for (const id of r.targets) s.outbox.queueTail(id, routeRequestTlv(r.prefix, r.hopCount));
    } else {
      if (e === undefined || e.selected !== undefined || r.originator === undefined) continue;
      r.targets = starvedTargets(e, r.originator);
      for (const id of r.targets) s.outbox.queueTail(id, seqnoRequestTlv(r));
    }
    s.counters.add(`request.${r.kind}.resent`);
  }
}

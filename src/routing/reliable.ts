/**
 * Acknowledged updates (RFC 8966 §3.3, §3.7.2 "reliably") and neighbour probes. Every packet that
 * carries Updates ends with an Ack Request; the neighbour answers with an Ack at once. A packet not
 * acknowledged within max(ACK_TIMEOUT_MIN_MS, 2 × RTT) is resent, doubling the timeout, at most
 * ACK_MAX_RESENDS times, with the *current* state of its prefixes (the selected route, or a
 * retraction when there is none), so a resend never undoes a newer decision. Without this a lost
 * triggered update, retraction or full dump waited for the periodic refresh (60 s): on lossy links
 * the network never converged.
 *
 * A probe is an Ack Request sent to a neighbour whose last IHU or Ack is 1.25 Hello intervals old
 * (neighbour.ts): its Ack shows the neighbour is alive and hears us (it holds the IHU); DEAD_PROBES
 * probes with no packet at all in return declare it dead, so a silent link is detected fast and a
 * lossy one is not for a lost Hello.
 *
 * Memory: per neighbour at most MAX_UNACKED_PER_NEIGHBOUR packets of UPDATES_PER_PACKET Updates
 * (references to Updates already built), dropped on Ack, after the last resend, or when the
 * neighbour goes away or becomes unreachable. The pacing window (outbox.ts) keeps the packets of
 * Updates to PACING_WINDOW; every way a packet leaves `unacked` wakes the neighbour's queue.
 */
import { type AckRequest, type Tlv, TlvType, type Update } from '../wire/babel/types.js';
import { prefixKey, sourceKey } from './_keys.js';
import { type EngineState, slotOf } from './_state.js';
import type { Millis, NeighbourId } from './api.js';
import {
  ACK_MAX_RESENDS,
  ACK_TIMEOUT_MAX_MS,
  ACK_TIMEOUT_MIN_MS,
  ACK_UNSUPPORTED_AFTER,
  MAX_UNACKED_PER_NEIGHBOUR,
  METRIC_INFINITY,
  PACING_HOLD_RTT,
  PARK_MAX_RTT,
  RTT_DEFAULT_MS,
} from './constants.js';
import { type Neighbour, noteHeardUs, probeDue, type Unacked } from './neighbour.js';
import type { FlushHooks } from './outbox.js';
import { routeRequestKey, seqnoRequestKey } from './resend.js';
import { announced, noteSent, ownUpdate, retraction, retractionOf, splitHorizon } from './send.js';
import { seqnoCompare } from './seqno.js';
import { NONE } from './table.js';
import type { KeyedUpdate } from './update-queue.js';

function timeoutMs(n: Neighbour, resends: number): number {
  return Math.min(
    ACK_TIMEOUT_MAX_MS,
    Math.max(ACK_TIMEOUT_MIN_MS, 2 * (n.rttMs ?? RTT_DEFAULT_MS)) * 2 ** resends,
  );
}

/** The next 16-bit Ack Request opaque for `n` (unique among its MAX_UNACKED_PER_NEIGHBOUR outstanding). */
function nonce(n: Neighbour): number {
  const v = n.nextNonce & 0xffff;
  n.nextNonce = (v + 1) & 0xffff;
  return v;
}

function ackRequest(n: Neighbour, opaque: number, resends: number): AckRequest {
  return { type: TlvType.AckRequest, opaque, interval: Math.ceil(timeoutMs(n, resends) / 10) };
}

/** False for a neighbour that let ACK_UNSUPPORTED_AFTER Ack Requests time out and never acknowledged one. */
function asksAcks(n: Neighbour): boolean {
  return n.acked || n.ackTimeouts < ACK_UNSUPPORTED_AFTER;
}

/** Acknowledged packets in flight to `id` (the pacing window), or undefined when it is not asked for Acks. */
export function inFlight(s: EngineState, id: NeighbourId): number | undefined {
  const n = s.neighbours.get(id);
  return n === undefined || !asksAcks(n) ? undefined : n.unacked.size;
}

/**
 * Nagle's rule for `id` (outbox.ts): true while the newest packet in flight to it (or one leaving
 * now) left less than PACING_HOLD_RTT round trips ago, its Ack still expected; the NeighbourCheck
 * timer wakes the queue when that time is up, in case the Ack was lost.
 */
function holdPartial(s: EngineState, id: NeighbourId, justSent: boolean): boolean {
  const n = s.neighbours.get(id);
  const sentAt = justSent ? s.now : n?.pacingSentAt;
  return n !== undefined && sentAt !== undefined && waitRtts(s, n, sentAt, PACING_HOLD_RTT);
}

/**
 * True while less than `rtts` round trips to `n` have passed since `sentAt`; the NeighbourCheck
 * timer then wakes its queue at the end of that time (the Ack it waits for may be lost).
 */
function waitRtts(s: EngineState, n: Neighbour, sentAt: Millis, rtts: number): boolean {
  const until = sentAt + rtts * (n.rttMs ?? RTT_DEFAULT_MS);
  if (until <= s.now) return false;
  if (n.pacingWakeAt === undefined || until < n.pacingWakeAt) {
    n.pacingWakeAt = until;
    s.touched.push(n); // its NeighbourCheck deadline moved (engine.ts refreshTimers)
  }
  return true;
}

/** Acknowledged packets in flight: all neighbours, and to the busiest one (gauges). */
export function unackedPackets(s: EngineState): { total: number; max: number } {
  let total = 0;
  let max = 0;
  for (const n of s.neighbours.values()) {
    total += n.unacked.size;
    if (n.unacked.size > max) max = n.unacked.size;
  }
  return { total, max };
}

/** The outbox's view of the window and its Ack Request maker, for one engine. */
export function flushHooks(s: EngineState): FlushHooks {
  return {
    inFlight: (id) => inFlight(s, id),
    parkBehind: (id, key) => parkBehind(s, id, key),
    holdPartial: (id, justSent) => holdPartial(s, id, justSent),
    sent: (updates) => {
      for (const e of updates) noteSent(s, e.key, e.update);
    },
    ack: (id, updates, requests, resends) => requestAck(s, id, updates, requests, resends),
  };
}

/**
 * The outbox calls this for each packet of Updates to `id`: remembers them and returns the Ack
 * Request that ends the packet (undefined for a neighbour we no longer have).
 */
export function requestAck(
  s: EngineState,
  id: NeighbourId,
  updates: readonly KeyedUpdate[],
  requests: readonly Tlv[] = [],
  resends = 0,
): Tlv | undefined {
  const n = s.neighbours.get(id);
  if (n === undefined || !asksAcks(n)) return undefined;
  if (n.unacked.size >= MAX_UNACKED_PER_NEIGHBOUR) {
    const oldest = n.unacked.keys().next().value as number;
    leftFlight(s, n, oldest);
    s.counters.add('ack.dropped');
  }
  const opaque = nonce(n);
  n.pacingSentAt = s.now;
  const resendAt = s.now + timeoutMs(n, resends);
  n.unacked.set(opaque, { updates, requests, resends, resendAt });
  for (const { key } of updates) {
    n.inFlightKeys.set(key, (n.inFlightKeys.get(key) ?? 0) + 1);
    n.inFlightSentAt.set(key, s.now);
  }
  if (n.unackedAt === undefined || resendAt < n.unackedAt) n.unackedAt = resendAt;
  s.touched.push(n); // its resend deadline may be the earliest now
  return ackRequest(n, opaque, resends);
}

/** An Ack Request from `n`: answered at once (it leads our next packet to it). */
export function handleAckRequest(s: EngineState, n: Neighbour, opaque: number): void {
  s.outbox.queueHead(n.id, { type: TlvType.Ack, opaque });
}

/**
 * An Ack from `n`: the packet it acknowledges needs no resend, and `n` heard us, which is what an
 * IHU says: its last IHU (and the txcost in it) is held for another IHU hold time.
 */
export function handleAck(s: EngineState, n: Neighbour, opaque: number): void {
  if (leftFlight(s, n, opaque) !== undefined) {
    s.counters.add('ack.received');
    s.outbox.wake(n.id);
  }
  n.acked = true;
  noteHeardUs(n, s.now);
}

/** Forgets every unacknowledged packet to `n` (it became unreachable; it gets a full dump when back). */
export function forgetUnacked(s: EngineState, n: Neighbour): void {
  n.unacked.clear();
  n.unackedAt = undefined;
  for (const key of n.inFlightKeys.keys()) s.outbox.unpark(n.id, key);
  n.inFlightKeys.clear();
  n.inFlightSentAt.clear();
  s.outbox.wake(n.id);
}

/**
 * Removes packet `opaque` from `n.unacked` (acknowledged, timed out or dropped) and lets the
 * Updates parked behind its prefixes go; returns the packet, undefined when it was not there.
 */
function leftFlight(s: EngineState, n: Neighbour, opaque: number): Unacked | undefined {
  const p = n.unacked.get(opaque);
  if (p === undefined) return undefined;
  n.unacked.delete(opaque);
  for (const { key } of p.updates) {
    const c = n.inFlightKeys.get(key) ?? 0;
    if (c > 1) {
      n.inFlightKeys.set(key, c - 1);
      continue;
    }
    n.inFlightKeys.delete(key);
    n.inFlightSentAt.delete(key);
    s.outbox.unpark(n.id, key);
  }
  return p;
}

/**
 * True when a newer Update for `key` must wait before leaving to `id`: a packet carrying `key`
 * awaits its Ack and left less than PARK_MAX_RTT round trips ago. The NeighbourCheck timer wakes
 * the queue when that time is up (the Ack may be lost).
 */
function parkBehind(s: EngineState, id: NeighbourId, key: string): boolean {
  const n = s.neighbours.get(id);
  const sentAt = n?.inFlightSentAt.get(key);
  return n !== undefined && sentAt !== undefined && waitRtts(s, n, sentAt, PARK_MAX_RTT);
}

/** The current Update for `key` towards `n`, or undefined when `n` should hear nothing for it. */
function currentUpdate(s: EngineState, n: Neighbour, key: string, sent: Update): Update | undefined {
  if (key === s.xroute.key) return ownUpdate(s);
  const p = slotOf(s, sent.prefix);
  if (p !== NONE && s.table.sel[p]! >= 0) {
    // Our route now goes through `n`: what it must hold from us is nothing (the poisoned reverse).
    if (splitHorizon(s, p, n)) return sent.metric >= METRIC_INFINITY ? sent : retraction(s, p);
    return announced(s, p);
  }
  // No route now: what the neighbour must hold is a retraction (if we ever announced one to it).
  return sent.metric >= METRIC_INFINITY ? sent : retractionOf(sent.prefix, sent.seqno, sent.interval);
}

/** True when the route or seqno request `t` is still pending here (a lost one is worth resending). */
function stillPending(s: EngineState, t: Tlv): boolean {
  if (t.type === TlvType.RouteRequest)
    return s.requests.findRequest(routeRequestKey(prefixKey(t.prefix))) !== undefined;
  if (t.type !== TlvType.SeqnoRequest || t.originator === undefined) return false;
  const req = s.requests.findRequest(seqnoRequestKey(sourceKey(prefixKey(t.prefix), t.originator)));
  return req !== undefined && (req.seqno === undefined || seqnoCompare(req.seqno, t.seqno) <= 0);
}

/**
 * The NeighbourCheck timer, for one neighbour: sends a due probe, and resends the packets whose Ack
 * is overdue (with the current state of their prefixes) or gives them up after ACK_MAX_RESENDS.
 */
export function serviceNeighbour(s: EngineState, n: Neighbour): void {
  if (n.pacingWakeAt !== undefined && n.pacingWakeAt <= s.now) {
    n.pacingWakeAt = undefined;
    s.outbox.wake(n.id);
  }
  if (probeDue(n, s.now)) {
    s.counters.add('probe.sent');
    s.outbox.queueHead(n.id, ackRequest(n, nonce(n), 0));
  }
  if (n.unackedAt === undefined || n.unackedAt > s.now) return;
  let next: number | undefined;
  for (const [opaque, p] of [...n.unacked]) {
    if (p.resendAt > s.now) {
      if (next === undefined || p.resendAt < next) next = p.resendAt;
      continue;
    }
    leftFlight(s, n, opaque);
    if (!n.acked) n.ackTimeouts++;
    if (p.resends >= ACK_MAX_RESENDS) {
      s.counters.add('ack.gave-up');
      continue;
    }
    s.counters.add('ack.resent');
    for (const { key, update: sent } of p.updates) {
      if (s.outbox.hasUpdate(n.id, key)) continue;
      const u = currentUpdate(s, n, key, sent);
      if (u !== undefined) s.outbox.queueUpdate(n.id, key, u, p.resends + 1);
    }
    for (const t of p.requests) if (stillPending(s, t)) s.outbox.queueTail(n.id, t, p.resends + 1);
  }
  n.unackedAt = next;
  for (const p of n.unacked.values())
    if (n.unackedAt === undefined || p.resendAt < n.unackedAt) n.unackedAt = p.resendAt;
  s.outbox.wake(n.id);
}

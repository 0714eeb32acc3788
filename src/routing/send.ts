/**
 * Sending Updates (babeld's send_update family in message.c): the announcement of a selected
 * route and the feasibility distance it records, triggered updates, retractions (sent twice),
 * the full dump to one neighbour, the periodic refresh, and our own prefix and its seqno bumps.
 * Everything goes through the outbox, so all TLVs due to one neighbour leave as one packet.
 */
import { type Prefix, TlvType, type Update } from '../wire/babel/types.js';
import { bytesEqual, WILDCARD_PREFIX } from './_keys.js';
import { type EngineState, notify, slotOf } from './_state.js';
import { METRIC_INFINITY, URGENT_RESEND_MS } from './constants.js';
import { feasibleAgainst } from './feasibility.js';
import type { Neighbour } from './neighbour.js';
import { routeMetric } from './route.js';
import { NONE } from './table.js';
import { TimerKind } from './timers.js';

/** The interval written into our Updates, in centiseconds. */
export function intervalCs(s: EngineState): number {
  return Math.round(s.cfg.updateIntervalMs / 10);
}

/**
 * An Update for a prefix left for a neighbour: its (seqno, metric) now bounds the source's
 * feasibility distance, which only improves (RFC 8966 §3.7.3; a retraction leaves it unchanged).
 * Recorded at sending, not at queueing: an Update that waited behind the pacing window and was
 * replaced never reached anyone, and counting it made the FD stricter than what the neighbours
 * heard (more infeasible routes and seqno requests).
 */
export function noteSent(s: EngineState, key: string, u: Update): void {
  if (u.originator === undefined || u.signature === undefined || key === s.xroute.key) return;
  const t = s.table;
  const p = slotOf(s, u.prefix);
  if (p === NONE || !bytesEqual(t.originKey(p), u.originator)) return;
  t.touch(p, s.now);
  // The FD moves exactly when the Update would be feasible against it (and is not a retraction).
  if (
    u.metric >= METRIC_INFINITY ||
    !feasibleAgainst(t.hasFd(p), t.fdSeqno[p]!, t.fdMetric[p]!, u.seqno, u.metric)
  )
    return;
  t.setFd(p, u.seqno, u.metric, u.signature);
}

/**
 * Returns the Update announcing the selected route of slot `p` at its current seqno and metric,
 * which becomes what is announced for it (the FD is recorded when it leaves: noteSent). Only for
 * what goes to every neighbour (sendTriggered): the announced state is what all of them hold.
 */
export function advertise(s: EngineState, p: number): Update | undefined {
  const t = s.table;
  const sel = t.sel[p]!;
  if (sel < 0) return undefined;
  const metric = routeMetric(t, sel);
  const seqno = t.rSeqno[sel]!;
  t.setAdvertised(p, seqno, metric);
  if (s.urgent.size > 0) s.urgent.delete(t.key(p));
  return announcement(s, p, seqno, metric, t.sig(sel)!);
}

/**
 * Returns the Update repeating what is announced for slot `p` to one neighbour (a dump, a resend,
 * an answer, the refresh): the announced seqno and metric, so that every neighbour keeps holding
 * the same thing and the Route Digests agree (refresh.ts). The metric may lag the current one by
 * less than the trigger threshold. Falls back to advertise() when nothing finite is announced or
 * the selected route already has another seqno.
 */
export function announced(s: EngineState, p: number): Update | undefined {
  const t = s.table;
  const sel = t.sel[p]!;
  if (sel < 0) return undefined;
  if (!t.announcing(p) || t.rSeqno[sel] !== t.advSeqno[p]) return advertise(s, p);
  return announcement(s, p, t.advSeqno[p]!, t.advMetric[p]!, t.sig(sel)!);
}

function announcement(
  s: EngineState,
  p: number,
  seqno: number,
  metric: number,
  signature: Uint8Array,
): Update {
  const t = s.table;
  return {
    type: TlvType.Update,
    flags: 0,
    interval: intervalCs(s),
    seqno,
    metric,
    prefix: t.prefix(p),
    routerId: t.originRouterId(p),
    originator: t.originKey(p),
    signature,
  };
}

/** True when split horizon keeps the selected route of slot `p` from neighbour `n`. */
export function splitHorizon(s: EngineState, p: number, n: Neighbour): boolean {
  const sel = s.table.sel[p]!;
  return s.cfg.splitHorizon && sel >= 0 && s.table.rNbr[sel] === n.slot;
}

/**
 * Announces the selected route of slot `p` to every neighbour (split horizon applied). Neighbour
 * slot `poison`, the new next hop, gets a retraction instead of nothing (poisoned reverse): it
 * still holds what we announced before our route came to go through it, and would otherwise keep
 * that stale route alive with every Route Digest (refresh.ts).
 */
export function sendTriggered(s: EngineState, p: number, poison = NONE): void {
  const withdrawn = poison === NONE ? undefined : retraction(s, p);
  const u = advertise(s, p);
  if (u === undefined) return;
  s.counters.add('update.triggered');
  const key = s.table.key(p);
  for (const n of s.neighbours.values()) {
    if (!splitHorizon(s, p, n)) {
      s.outbox.queueUpdate(n.id, key, u);
      continue;
    }
    if (withdrawn !== undefined && n.slot === poison) {
      s.counters.add('update.poisoned');
      s.outbox.queueUpdate(n.id, key, withdrawn);
    } else if (s.outbox.dropUpdate(n.id, key)) {
      // The new next hop must not get an Update still waiting in its queue from before.
      s.counters.add('pacing.split-horizon-dropped');
    }
  }
}

/** Retracts slot `p` to every neighbour now, and once more after URGENT_RESEND_MS (RFC 8966 §3.7.2). */
export function sendRetraction(s: EngineState, p: number): void {
  const t = s.table;
  const u = retraction(s, p);
  t.setAdvertised(p, u.seqno, METRIC_INFINITY);
  s.counters.add('route.retracted');
  const key = t.key(p);
  for (const id of s.neighbours.keys()) s.outbox.queueUpdate(id, key, u);
  s.urgent.set(key, { at: s.now + URGENT_RESEND_MS, update: u });
  s.timers.setEarlier(TimerKind.UrgentResend, s.now + URGENT_RESEND_MS);
}

/** A retraction of `prefix` (unsigned: it only withdraws what its sender announced). */
export function retractionOf(prefix: Prefix, seqno: number, interval: number): Update {
  return { type: TlvType.Update, flags: 0, interval, seqno, metric: METRIC_INFINITY, prefix };
}

/** The retraction of slot `p`, at the seqno last announced for it. */
export function retraction(s: EngineState, p: number): Update {
  const t = s.table;
  return retractionOf(t.prefix(p), t.advertised(p) ? t.advSeqno[p]! : 0, intervalCs(s));
}

/** The UrgentResend timer: sends each due retraction once more, unless the prefix has a route again. */
export function expiredUrgent(s: EngineState): void {
  for (const [k, { at, update }] of s.urgent) {
    if (at > s.now) {
      s.timers.setEarlier(TimerKind.UrgentResend, at);
      continue;
    }
    s.urgent.delete(k);
    const p = slotOf(s, update.prefix);
    if (p !== NONE && s.table.sel[p]! >= 0) continue;
    for (const id of s.neighbours.keys()) s.outbox.queueUpdate(id, k, update);
  }
}

/**
 * Queues our own prefix and every selected route (split horizon applied) to one neighbour. With
 * `withdrawHidden` (the answer to its wildcard request), what split horizon hides from it is
 * retracted: it may still hold what we announced before our route came to go through it.
 */
export function sendFullDump(s: EngineState, n: Neighbour, withdrawHidden = false): void {
  const t = s.table;
  const hidden: number[] = [];
  s.outbox.queueUpdate(n.id, s.xroute.key, ownUpdate(s));
  for (let p = 0; p < t.limit; p++) {
    if (!t.isLive(p) || t.sel[p]! < 0) continue;
    if (splitHorizon(s, p, n)) {
      if (withdrawHidden) hidden.push(p);
      continue;
    }
    const u = announced(s, p);
    if (u !== undefined) s.outbox.queueUpdate(n.id, t.key(p), u);
  }
  // After the announcements, as they always went.
  for (const p of hidden) s.outbox.queueUpdate(n.id, t.key(p), retraction(s, p));
}

/** The full periodic refresh to `targets`: our prefix and every selected route (split horizon applied). */
export function sendPeriodicUpdates(s: EngineState, targets: Iterable<Neighbour>): void {
  const t = s.table;
  const own = ownUpdate(s);
  const slots: number[] = [];
  const updates: Update[] = [];
  for (let p = 0; p < t.limit; p++) {
    if (!t.isLive(p)) continue;
    const u = announced(s, p);
    if (u === undefined) continue;
    slots.push(p);
    updates.push(u);
  }
  for (const n of targets) {
    s.outbox.queueUpdate(n.id, s.xroute.key, own, 0, false);
    // Unacknowledged: it repeats what triggered (acknowledged) updates already delivered.
    for (let i = 0; i < slots.length; i++) {
      const p = slots[i]!;
      if (!splitHorizon(s, p, n)) s.outbox.queueUpdate(n.id, t.key(p), updates[i]!, 0, false);
    }
  }
}

/** Returns the signed Update for our own prefix at the current seqno. */
export function ownUpdate(s: EngineState): Update {
  return s.xroute.makeUpdate(intervalCs(s));
}

/** Queues our own prefix to every neighbour. */
export function sendOwnUpdateToAll(s: EngineState): void {
  const own = ownUpdate(s);
  for (const id of s.neighbours.keys()) s.outbox.queueUpdate(id, s.xroute.key, own);
}

/** Moves our seqno to at least `target` (rate-limited) and announces it when it moved. */
export function bumpOwnSeqno(s: EngineState, target: number): void {
  if (s.xroute.bumpSeqno(target, s.now)) {
    s.counters.add('seqno.bump');
    notify(s, 'seqnoBump', { seqno: s.xroute.seqno });
    sendOwnUpdateToAll(s);
  }
}

/** The key the outbox files the shutdown retraction under (no prefix has it). */
const WILDCARD_KEY = '*';

/** Shutdown: one wildcard retraction to every neighbour withdraws all we announced to it. */
export function sendShutdownRetractions(s: EngineState): void {
  const u = retractionOf(WILDCARD_PREFIX, s.xroute.seqno, intervalCs(s));
  s.counters.add('shutdown.retraction');
  for (const id of s.neighbours.keys()) s.outbox.queueUrgent(id, WILDCARD_KEY, u);
}

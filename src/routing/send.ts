/**
 * Sending Updates (babeld's send_update family in message.c): the announcement of a selected
 * route and the feasibility distance it records, triggered updates, retractions (sent twice),
 * the full dump to one neighbour, the periodic refresh, and our own prefix and its seqno bumps.
 * Everything goes through the outbox, so all TLVs due to one neighbour leave as one packet.
 */
import { AE, TlvType, type Update } from '../wire/babel/types.js';
import { sourceKey } from './_keys.js';
import { type EngineState, notify } from './_state.js';
import type { NeighbourId } from './api.js';
import { METRIC_INFINITY, URGENT_RESEND_MS } from './constants.js';
import type { Neighbour } from './neighbour.js';
import { type PrefixEntry, routeMetric } from './route.js';
import { TimerKind } from './timers.js';

/** The interval written into our Updates, in centiseconds. */
function intervalCs(s: EngineState): number {
  return Math.round(s.cfg.updateIntervalMs / 10);
}

/** Returns the Update announcing the selected route of `e` (its FD is recorded when it leaves: noteSent). */
export function advertise(s: EngineState, e: PrefixEntry): Update | undefined {
  const sel = e.selected;
  if (sel === undefined) return undefined;
  const metric = routeMetric(sel);
  e.advertised = { seqno: sel.seqno, metric };
  s.urgent.delete(e.key);
  return {
    type: TlvType.Update,
    flags: 0,
    interval: intervalCs(s),
    seqno: sel.seqno,
    metric,
    prefix: e.prefix,
    routerId: sel.originator.subarray(0, 8),
    originator: sel.originator,
    signature: sel.signature,
  };
}

/**
 * An Update for prefix `key` left for a neighbour: its (seqno, metric) now bounds the source's
 * feasibility distance (RFC 8966 §3.7.3). Recorded at sending, not at queueing: an Update that
 * waited behind the pacing window and was replaced never reached anyone, and counting it made
 * the FD stricter than what the neighbours heard (more infeasible routes and seqno requests).
 */
export function noteSent(s: EngineState, key: string, u: Update): void {
  if (u.originator === undefined || u.metric >= METRIC_INFINITY || key === s.xroute.key) return;
  const source = s.sources.findSource(sourceKey(key, u.originator));
  if (source !== undefined) s.sources.noteAdvertised(source, u.seqno, u.metric, s.now);
}

/** True when split horizon keeps the selected route of `e` from neighbour `id`. */
export function splitHorizon(s: EngineState, e: PrefixEntry, id: NeighbourId): boolean {
  return s.cfg.splitHorizon && e.selected?.neighbour.id === id;
}

/** Announces the selected route of `e` to every neighbour (split horizon applied). */
export function sendTriggered(s: EngineState, e: PrefixEntry): void {
  const u = advertise(s, e);
  if (u === undefined) return;
  s.counters.add('update.triggered');
  for (const id of s.neighbours.keys()) {
    if (!splitHorizon(s, e, id)) s.outbox.queueUpdate(id, e.key, u);
    // The new next hop must not get an Update still waiting in its queue from before.
    else if (s.outbox.dropUpdate(id, e.key)) s.counters.add('pacing.split-horizon-dropped');
  }
}

/** Retracts `e` to every neighbour now, and once more after URGENT_RESEND_MS (RFC 8966 §3.7.2). */
export function sendRetraction(s: EngineState, e: PrefixEntry): void {
  const adv = e.advertised;
  e.advertised = { seqno: adv?.seqno ?? 0, metric: METRIC_INFINITY };
  const u: Update = {
    type: TlvType.Update,
    flags: 0,
    interval: intervalCs(s),
    seqno: adv?.seqno ?? 0,
    metric: METRIC_INFINITY,
    prefix: e.prefix,
  };
  s.counters.add('route.retracted');
  for (const id of s.neighbours.keys()) s.outbox.queueUpdate(id, e.key, u);
  s.urgent.set(e.key, { at: s.now + URGENT_RESEND_MS, update: u });
  s.timers.setEarlier(TimerKind.UrgentResend, s.now + URGENT_RESEND_MS);
}

/** The UrgentResend timer: sends each due retraction once more, unless the prefix has a route again. */
export function expiredUrgent(s: EngineState): void {
  for (const [k, { at, update }] of s.urgent) {
    if (at > s.now) {
      s.timers.setEarlier(TimerKind.UrgentResend, at);
      continue;
    }
    s.urgent.delete(k);
    if (s.table.get(k)?.selected !== undefined) continue;
    for (const id of s.neighbours.keys()) s.outbox.queueUpdate(id, k, update);
  }
}

/** Queues our own prefix and every selected route (split horizon applied) to one neighbour. */
export function sendFullDump(s: EngineState, n: Neighbour): void {
  s.outbox.queueUpdate(n.id, s.xroute.key, ownUpdate(s));
  for (const e of s.table.values()) {
    if (e.selected === undefined || splitHorizon(s, e, n.id)) continue;
    const u = advertise(s, e);
    if (u !== undefined) s.outbox.queueUpdate(n.id, e.key, u);
  }
}

/** The periodic refresh: one Update per selected route (and ours) to each neighbour. */
export function sendPeriodicUpdates(s: EngineState): void {
  const own = ownUpdate(s);
  const updates: [PrefixEntry, Update][] = [];
  for (const e of s.table.values()) {
    const u = advertise(s, e);
    if (u !== undefined) updates.push([e, u]);
  }
  for (const id of s.neighbours.keys()) {
    s.outbox.queueUpdate(id, s.xroute.key, own, 0, false);
    // Unacknowledged: it repeats what triggered (acknowledged) updates already delivered.
    for (const [e, u] of updates) if (!splitHorizon(s, e, id)) s.outbox.queueUpdate(id, e.key, u, 0, false);
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
  const u: Update = {
    type: TlvType.Update,
    flags: 0,
    interval: intervalCs(s),
    seqno: s.xroute.seqno,
    metric: METRIC_INFINITY,
    prefix: { ae: AE.Wildcard, plen: 0, addr: new Uint8Array(0) },
  };
  s.counters.add('shutdown.retraction');
  for (const id of s.neighbours.keys()) s.outbox.queueUrgent(id, WILDCARD_KEY, u);
}

/**
 * The routing engine: a sans-IO Babel-style distance-vector state machine (RFC 8966 as the model,
 * docs/protocol/routing-engine.md for where hypha differs), in quinn's shape.
 *
 * Driver order (the daemon's driver and sim/ are the only two loops, and both follow it):
 *   1. `handle(event, now)` for each input: neighbourUp/neighbourDown from the link layer, a decoded
 *      packet, wantRoute from the data plane, or `timer` when the armed timer fires;
 *   2. drain `poll()` until undefined and carry out each action (send, installRoute, removeRoute,
 *      notify) in order;
 *   3. re-arm the single timer to `nextTimeout()` if it changed.
 * `now` never goes backwards (an earlier value is treated as the latest seen). A timer event before
 * anything is due does nothing. All TLVs due to one neighbour during one handle() leave as one
 * `send` action.
 *
 * Pipeline of a received packet: (1) Hellos and IHUs update the neighbour and its cost; (2) if the
 * cost moved, every prefix with a route through it is re-selected; (3) Updates are checked (prefix,
 * ownership, signature via the verify cache, staleness), stored, and their prefix re-selected;
 * (4) route and seqno requests are answered, forwarded or dropped; (5) the outbox is flushed.
 *
 * This file is the API and the dispatch; each protocol concept has its own file (babeld's layout):
 * hello.ts (neighbours, Hello/IHU), update.ts (received Updates, expiry), request.ts (route and
 * seqno requests), selection.ts (re-selection and its consequences), send.ts (what we announce).
 * They share the state record of _state.ts.
 */
import { type Tlv, TlvType } from '../wire/babel/types.js';
import { isRoutablePrefix } from './_keys.js';
import { createState, type EngineState, feasible, jitter, reject } from './_state.js';
import type {
  EngineAction,
  EngineDeps,
  EngineEvent,
  Millis,
  NeighbourId,
  NeighbourView,
  RouteView,
  RoutingConfig,
  RoutingEngine,
} from './api.js';
import {
  HELLO_INTERVAL_MS,
  MAX_NEIGHBOURS,
  MAX_PENDING_REQUESTS,
  MAX_PREFIXES,
  MAX_ROUTES_PER_PREFIX,
  MAX_SOURCES,
  UPDATE_INTERVAL_MS,
} from './constants.js';
import { RejectReason } from './counters.js';
import {
  checkNeighbours,
  handleHellos,
  handleNeighbourDown,
  handleNeighbourUp,
  sendHellos,
} from './hello.js';
import { neighbourDeadline } from './neighbour.js';
import type { FlushHooks } from './outbox.js';
import { handleRouteDigest, sendDrifted, sendRefresh } from './refresh.js';
import { flushHooks, handleAck, handleAckRequest, unackedPackets } from './reliable.js';
import { expiredRequests, handleRouteRequest, handleSeqnoRequest, handleWantRoute } from './request.js';
import { routeMetric } from './route.js';
import { reselectDue } from './selection.js';
import { bumpOwnSeqno, expiredUrgent, sendShutdownRetractions } from './send.js';
import { NONE } from './table.js';
import { TimerKind } from './timers.js';
import { expireRoutes, handleUpdate } from './update.js';

/** The defaults of every tunable. */
export const DEFAULT_ROUTING_CONFIG: RoutingConfig = {
  helloIntervalMs: HELLO_INTERVAL_MS,
  updateIntervalMs: UPDATE_INTERVAL_MS,
  splitHorizon: true,
  maxNeighbours: MAX_NEIGHBOURS,
  maxPrefixes: MAX_PREFIXES,
  maxRoutesPerPrefix: MAX_ROUTES_PER_PREFIX,
  maxSources: MAX_SOURCES,
  maxPendingRequests: MAX_PENDING_REQUESTS,
  notifications: true,
};

/**
 * Creates a routing engine for the node described by `deps`, starting at `now`. Its own seqno
 * starts from deps.random() (see xroute.ts for why).
 */
export function createRoutingEngine(
  deps: EngineDeps,
  config: Partial<RoutingConfig> = {},
  now: Millis = 0,
): RoutingEngine {
  return new Engine(deps, { ...DEFAULT_ROUTING_CONFIG, ...config }, now);
}

class Engine implements RoutingEngine {
  readonly #s: EngineState;
  readonly #hooks: FlushHooks;

  constructor(deps: EngineDeps, cfg: RoutingConfig, now: Millis) {
    if (!isRoutablePrefix(deps.subnet)) throw new RangeError('deps.subnet must be a /64 inside 400::/7');
    if (deps.publicKey.length !== 32) throw new RangeError('deps.publicKey must be 32 bytes');
    const s = createState(deps, cfg, now);
    this.#s = s;
    this.#hooks = flushHooks(s);
    s.timers.set(TimerKind.Hello, now + jitter(s, cfg.helloIntervalMs));
    s.timers.set(TimerKind.Update, now + jitter(s, cfg.updateIntervalMs));
    // A first drift round half an interval after the start (the first refresh is 0.75–1.25
    // intervals away): what the boot left below the trigger threshold is announced that soon.
    s.timers.set(TimerKind.Drift, now + cfg.updateIntervalMs / 2);
  }

  handle(ev: EngineEvent, now: Millis): void {
    const s = this.#s;
    if (now > s.now) s.now = now;
    s.table.rebase(s.now);
    switch (ev.kind) {
      case 'neighbourUp':
        handleNeighbourUp(s, ev.neighbour, ev.publicKey);
        {
          const n = s.neighbours.get(ev.neighbour);
          if (n !== undefined) s.touched.push(n);
        }
        break;
      case 'neighbourDown':
        handleNeighbourDown(s, ev.neighbour);
        break;
      case 'packet':
        handlePacket(s, ev.neighbour, ev.tlvs);
        break;
      case 'wantRoute':
        handleWantRoute(s, ev.address);
        break;
      case 'timer':
        handleTimeout(s);
        break;
      case 'shutdown':
        sendShutdownRetractions(s);
        break;
    }
    s.outbox.flush(s.actions, s.counters, this.#hooks);
    refreshTimers(s);
  }

  poll(): EngineAction | undefined {
    const s = this.#s;
    if (s.actionHead >= s.actions.length) {
      if (s.actionHead > 0) {
        s.actions.length = 0;
        s.actionHead = 0;
      }
      return undefined;
    }
    const a = s.actions[s.actionHead];
    s.actions[s.actionHead++] = undefined as unknown as EngineAction;
    return a;
  }

  nextTimeout(): Millis | undefined {
    return this.#s.timers.next();
  }

  routes(): RouteView[] {
    const s = this.#s;
    const t = s.table;
    const out: RouteView[] = [];
    for (let p = 0; p < t.limit; p++) {
      if (!t.isLive(p)) continue;
      for (let r = t.head[p]!; r !== NONE; r = t.rNext[r]!) {
        out.push({
          prefix: t.prefix(p),
          originator: t.originKey(p),
          neighbour: t.nbr[t.rNbr[r]!]!.id,
          seqno: t.rSeqno[r]!,
          metric: routeMetric(t, r),
          selected: t.sel[p] === r,
          feasible: feasible(s, p, r),
          expiresAt: t.expiresAt(r),
        });
      }
    }
    return out;
  }

  neighbours(): NeighbourView[] {
    return [...this.#s.neighbours.values()].map((n) => ({
      id: n.id,
      publicKey: n.publicKey,
      rttMs: n.rttMs,
      cost: n.cost,
    }));
  }

  counters(): Readonly<Record<string, number>> {
    return { ...this.#s.counters.snapshot(), sign: this.#s.xroute.signatures };
  }

  gauges(): Readonly<Record<string, number>> {
    const s = this.#s;
    const inflight = unackedPackets(s);
    return {
      seqno: s.xroute.seqno,
      'table.prefixes': s.table.prefixes,
      'table.sources': s.table.slots,
      'table.routes': s.table.routes,
      'table.requests': s.requests.size,
      'table.neighbours': s.neighbours.size,
      'pacing.queued': s.outbox.queued(),
      'pacing.inflight': inflight.total,
      'pacing.inflight.max': inflight.max,
    };
  }
}

/** A received packet, in the pipeline order of the file comment. */
function handlePacket(s: EngineState, id: NeighbourId, tlvs: readonly Tlv[]): void {
  const n = s.neighbours.get(id);
  if (n === undefined) {
    reject(s, RejectReason.UnknownNeighbour);
    return;
  }
  s.touched.push(n);
  // (1), (2) Hello, IHU and cost.
  handleHellos(s, n, tlvs);
  // (3), (4) Updates and requests, in packet order.
  for (const t of tlvs) {
    if (t.type === TlvType.Update) handleUpdate(s, n, t);
    else if (t.type === TlvType.RouteRequest) handleRouteRequest(s, n, t);
    else if (t.type === TlvType.SeqnoRequest) handleSeqnoRequest(s, n, t);
    else if (t.type === TlvType.AckRequest) handleAckRequest(s, n, t.opaque);
    else if (t.type === TlvType.Ack) handleAck(s, n, t.opaque);
    else if (t.type === TlvType.RouteDigest) handleRouteDigest(s, n, t);
  }
}

/** Runs every timer kind that is due, through one switch (quinn's handle_timeout). */
function handleTimeout(s: EngineState): void {
  for (const kind of s.timers.takeExpired(s.now)) {
    switch (kind) {
      case TimerKind.Hello:
        sendHellos(s);
        s.timers.set(TimerKind.Hello, s.now + jitter(s, s.cfg.helloIntervalMs));
        break;
      case TimerKind.NeighbourCheck:
        checkNeighbours(s);
        s.timers.set(TimerKind.NeighbourCheck, earliestNeighbourDeadline(s));
        break;
      case TimerKind.Update:
        s.counters.add('update.periodic');
        sendRefresh(s);
        s.timers.set(TimerKind.Update, s.now + jitter(s, s.cfg.updateIntervalMs));
        s.timers.set(TimerKind.Drift, s.now + s.cfg.updateIntervalMs / 2);
        break;
      case TimerKind.Drift:
        sendDrifted(s);
        break;
      case TimerKind.UrgentResend:
        expiredUrgent(s);
        break;
      case TimerKind.Expiry:
        expireRoutes(s);
        break;
      case TimerKind.Requests:
        expiredRequests(s);
        break;
      case TimerKind.Reselect:
        reselectDue(s);
        break;
      case TimerKind.SeqnoBump:
        if (s.xroute.pendingBump !== undefined) bumpOwnSeqno(s, s.xroute.pendingBump);
        break;
    }
  }
}

/** The earliest deadline over all neighbours (a Hello miss, IHU hold, probe or Ack resend). */
function earliestNeighbourDeadline(s: EngineState): Millis | undefined {
  let check: Millis | undefined;
  for (const n of s.neighbours.values()) {
    const d = neighbourDeadline(n, s.now);
    if (d !== undefined && (check === undefined || d < check)) check = d;
  }
  return check;
}

/**
 * Re-arms the aggregate timer kinds from the current state (called after every handle()).
 * NeighbourCheck is only moved earlier, by the neighbours this call touched (the one a packet came
 * from, new ones, and those sent acknowledged packets): a hub with hundreds of neighbours would
 * otherwise scan them all per packet. A deadline left early fires, finds nothing due, and the full
 * scan after checkNeighbours() sets the real one.
 */
function refreshTimers(s: EngineState): void {
  let check = s.timers.get(TimerKind.NeighbourCheck);
  for (const n of s.touched) {
    if (s.neighbours.get(n.id) !== n) continue;
    const d = neighbourDeadline(n, s.now);
    if (d !== undefined && (check === undefined || d < check)) check = d;
  }
  s.touched.length = 0;
  s.timers.set(TimerKind.NeighbourCheck, check);
  s.timers.set(TimerKind.Requests, s.requests.nextDeadline());
  s.timers.set(TimerKind.SeqnoBump, s.xroute.bumpDeadline());
  s.timers.set(TimerKind.Expiry, s.expiryDeadline);
  s.timers.set(TimerKind.Reselect, s.reselectDeadline);
  if (s.urgent.size === 0) s.timers.set(TimerKind.UrgentResend, undefined);
}

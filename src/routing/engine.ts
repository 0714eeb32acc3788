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
 */
import { formatIPv6 } from '../identity/address.js';
import { updateSignedBytes } from '../wire/babel/signed.js';
import {
  AE,
  type Prefix,
  type RouteRequest,
  type SeqnoRequest,
  type Tlv,
  TlvType,
  type Update,
} from '../wire/babel/types.js';
import { bytesEqual, hex, isRoutablePrefix, prefixHas, prefixKey, sourceKey, subnetOf } from './_keys.js';
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
  JITTER_FRACTION,
  MAX_NEIGHBOURS,
  MAX_PENDING_REQUESTS,
  MAX_PREFIXES,
  MAX_ROUTES_PER_PREFIX,
  MAX_SOURCES,
  METRIC_INFINITY,
  METRIC_TRIGGER_MIN_DELTA,
  ROUTE_HOLD_FACTOR,
  ROUTE_INTERVAL_MAX_MS,
  ROUTE_INTERVAL_MIN_MS,
  ROUTE_REQUEST_HOP_COUNT,
  SEQNO_REQUEST_HOP_COUNT,
  UPDATE_INTERVAL_MS,
  URGENT_RESEND_MS,
  VERIFY_CACHE_SIZE,
  WILDCARD_REQUEST_MIN_INTERVAL_MS,
} from './constants.js';
import { Counters, RejectReason, tlvName } from './counters.js';
import { isFeasible } from './feasibility.js';
import {
  checkHellos,
  computeCost,
  createNeighbour,
  handleHello,
  handleIhu,
  makeHello,
  makeIhu,
  type Neighbour,
  neighbourDeadline,
  rxcost,
} from './neighbour.js';
import { Outbox } from './outbox.js';
import { type PendingRequest, RequestTable, routeRequestKey, seqnoRequestKey } from './requests.js';
import {
  findRoute,
  flushRoute,
  type PrefixEntry,
  type Route,
  routeMetric,
  selectRoute,
  significantChange,
} from './route.js';
import { isSeqno, seqnoCompare, seqnoPlus } from './seqno.js';
import { SourceTable } from './source.js';
import { roughly, TimerKind, TimerTable } from './timers.js';
import { VerifyCache } from './verify-cache.js';
import { XRoute } from './xroute.js';

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
  verifyCacheSize: VERIFY_CACHE_SIZE,
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

function formatPrefix(p: Prefix): string {
  return p.ae === AE.IPv6 && p.addr.length === 16 ? `${formatIPv6(p.addr)}/${p.plen}` : `ae${p.ae}/${p.plen}`;
}

class Engine implements RoutingEngine {
  readonly #deps: EngineDeps;
  readonly #cfg: RoutingConfig;
  #now: Millis;
  readonly #neighbours = new Map<NeighbourId, Neighbour>();
  /** Prefix keys each neighbour has a route for, so a cost change re-selects only those. */
  readonly #byNeighbour = new Map<NeighbourId, Set<string>>();
  readonly #table = new Map<string, PrefixEntry>();
  readonly #sources: SourceTable;
  readonly #requests: RequestTable;
  readonly #verified: VerifyCache;
  readonly #xroute: XRoute;
  readonly #counters = new Counters();
  readonly #timers = new TimerTable();
  readonly #outbox = new Outbox();
  readonly #actions: EngineAction[] = [];
  #actionHead = 0;
  /** Retractions to send once more: prefix key → (when, the retraction). */
  readonly #urgent = new Map<string, { at: Millis; update: Update }>();
  /** Earliest route expiry or source GC set since the last sweep (may be early). */
  #expiryDeadline: Millis | undefined;

  constructor(deps: EngineDeps, cfg: RoutingConfig, now: Millis) {
    if (!isRoutablePrefix(deps.subnet)) throw new RangeError('deps.subnet must be a /64 inside 400::/7');
    if (deps.publicKey.length !== 32) throw new RangeError('deps.publicKey must be 32 bytes');
    this.#deps = deps;
    this.#cfg = cfg;
    this.#now = now;
    this.#sources = new SourceTable(cfg.maxSources);
    this.#requests = new RequestTable(cfg.maxPendingRequests);
    this.#verified = new VerifyCache(cfg.verifyCacheSize);
    this.#xroute = new XRoute(deps.subnet, deps.publicKey, deps.sign, Math.floor(deps.random() * 0x10000));
    this.#timers.set(TimerKind.Hello, now + this.#jitter(cfg.helloIntervalMs));
    this.#timers.set(TimerKind.Update, now + this.#jitter(cfg.updateIntervalMs));
  }

  // ------------------------------------------------------------------------------------------
  // The API: handle, poll, nextTimeout, views
  // ------------------------------------------------------------------------------------------

  handle(ev: EngineEvent, now: Millis): void {
    if (now > this.#now) this.#now = now;
    switch (ev.kind) {
      case 'neighbourUp':
        this.#handleNeighbourUp(ev.neighbour, ev.publicKey);
        break;
      case 'neighbourDown':
        this.#handleNeighbourDown(ev.neighbour);
        break;
      case 'packet':
        this.#handlePacket(ev.neighbour, ev.tlvs);
        break;
      case 'wantRoute':
        this.#handleWantRoute(ev.address);
        break;
      case 'timer':
        this.#handleTimeout();
        break;
    }
    this.#outbox.flush(this.#actions, this.#counters);
    this.#refreshTimers();
  }

  poll(): EngineAction | undefined {
    if (this.#actionHead >= this.#actions.length) {
      if (this.#actionHead > 0) {
        this.#actions.length = 0;
        this.#actionHead = 0;
      }
      return undefined;
    }
    const a = this.#actions[this.#actionHead];
    this.#actions[this.#actionHead++] = undefined as unknown as EngineAction;
    return a;
  }

  nextTimeout(): Millis | undefined {
    return this.#timers.next();
  }

  routes(): RouteView[] {
    const out: RouteView[] = [];
    for (const e of this.#table.values()) {
      for (const r of e.routes) {
        out.push({
          prefix: e.prefix,
          originator: r.originator,
          neighbour: r.neighbour.id,
          seqno: r.seqno,
          metric: routeMetric(r),
          selected: e.selected === r,
          feasible: this.#feasible(r),
          expiresAt: r.expiresAt,
        });
      }
    }
    return out;
  }

  neighbours(): NeighbourView[] {
    return [...this.#neighbours.values()].map((n) => ({
      id: n.id,
      publicKey: n.publicKey,
      rttMs: n.rttMs,
      cost: n.cost,
    }));
  }

  counters(): Readonly<Record<string, number>> {
    return { ...this.#counters.snapshot(), sign: this.#xroute.signatures };
  }

  gauges(): Readonly<Record<string, number>> {
    return {
      seqno: this.#xroute.seqno,
      'table.prefixes': this.#table.size,
      'table.sources': this.#sources.size,
      'table.requests': this.#requests.size,
      'table.neighbours': this.#neighbours.size,
      'table.verified': this.#verified.size,
    };
  }

  // ------------------------------------------------------------------------------------------
  // Neighbours
  // ------------------------------------------------------------------------------------------

  #handleNeighbourUp(id: NeighbourId, publicKey: Uint8Array): void {
    if (this.#neighbours.has(id)) this.#handleNeighbourDown(id);
    if (publicKey.length !== 32) {
      this.#reject(RejectReason.Malformed);
      return;
    }
    if (this.#neighbours.size >= this.#cfg.maxNeighbours) {
      this.#reject(RejectReason.TableFull);
      return;
    }
    const n = createNeighbour(id, publicKey, this.#deps.random);
    this.#neighbours.set(id, n);
    this.#byNeighbour.set(id, new Set());
    this.#counters.add('neighbour.up');
    this.#notify('neighbourUp', { neighbour: id, publicKey: hex(publicKey) });
    this.#sendHello(n);
    this.#sendFullDump(n);
    // Outstanding route requests of ours go to the newcomer as well.
    for (const req of this.#requests.all()) {
      if (req.kind === 'route' && req.originated) {
        this.#outbox.queueTail(id, this.#routeRequestTlv(req.prefix, req.hopCount));
        req.targets.push(id);
      }
    }
  }

  #handleNeighbourDown(id: NeighbourId): void {
    const n = this.#neighbours.get(id);
    if (n === undefined) return;
    this.#neighbours.delete(id);
    this.#outbox.forget(id);
    const keys = this.#byNeighbour.get(id) ?? new Set<string>();
    this.#byNeighbour.delete(id);
    this.#counters.add('neighbour.down');
    this.#notify('neighbourDown', { neighbour: id });
    for (const k of keys) {
      const e = this.#table.get(k);
      if (e !== undefined && flushRoute(e, id) !== undefined) this.#reselect(e);
    }
  }

  #sendHello(n: Neighbour): void {
    this.#outbox.queueHead(n.id, makeHello(n, this.#now, this.#cfg.helloIntervalMs));
    this.#outbox.queueHead(n.id, makeIhu(n, this.#cfg.helloIntervalMs));
  }

  /** Recomputes a neighbour's cost; on a change, re-selects every prefix it has a route for. */
  #updateNeighbourCost(n: Neighbour): void {
    const cost = computeCost(n, this.#now);
    if (cost === n.cost) return;
    const old = n.cost;
    n.cost = cost;
    if (old >= METRIC_INFINITY !== cost >= METRIC_INFINITY) {
      const up = cost < METRIC_INFINITY;
      this.#counters.add(up ? 'neighbour.reachable' : 'neighbour.unreachable');
      this.#notify(up ? 'neighbourReachable' : 'neighbourUnreachable', { neighbour: n.id, cost });
    } else if (significantChange(old, cost, METRIC_TRIGGER_MIN_DELTA)) {
      this.#notify('neighbourCost', { neighbour: n.id, cost, rttMs: n.rttMs });
    }
    for (const k of this.#byNeighbour.get(n.id) ?? []) {
      const e = this.#table.get(k);
      if (e !== undefined) this.#reselect(e);
    }
  }

  // ------------------------------------------------------------------------------------------
  // Packets
  // ------------------------------------------------------------------------------------------

  #handlePacket(id: NeighbourId, tlvs: readonly Tlv[]): void {
    const n = this.#neighbours.get(id);
    if (n === undefined) {
      this.#reject(RejectReason.UnknownNeighbour);
      return;
    }
    // (1) Hello and IHU first: an IHU's RTT sample needs the Hello of the same packet.
    let helloTransmitUs: number | undefined;
    let sawHello = false;
    for (const t of tlvs) {
      this.#counters.add(`in.${tlvName(t.type)}`);
      if (t.type === TlvType.Hello) {
        if (!isSeqno(t.seqno)) continue;
        handleHello(n, t, this.#now);
        helloTransmitUs = t.timestamp?.transmit;
        sawHello = true;
      }
    }
    for (const t of tlvs) if (t.type === TlvType.IHU) handleIhu(n, t, helloTransmitUs, this.#now);
    // A new neighbour is answered at once, so both sides measure an RTT within one round trip.
    if (sawHello && !n.sentIhu && rxcost(n) < METRIC_INFINITY) this.#sendHello(n);
    // (2) Cost.
    this.#updateNeighbourCost(n);
    // (3), (4) Updates and requests, in packet order.
    for (const t of tlvs) {
      if (t.type === TlvType.Update) this.#handleUpdate(n, t);
      else if (t.type === TlvType.RouteRequest) this.#handleRouteRequest(n, t);
      else if (t.type === TlvType.SeqnoRequest) this.#handleSeqnoRequest(n, t);
    }
  }

  // ------------------------------------------------------------------------------------------
  // Updates
  // ------------------------------------------------------------------------------------------

  /** Verifies the signature of (prefix, seqno, originator), using and filling the verify cache. */
  #verifyUpdate(u: Update, originator: Uint8Array, signature: Uint8Array, srcKey: string): boolean {
    const cacheKey = `${srcKey}#${u.seqno}`;
    if (this.#verified.has(cacheKey, signature)) {
      this.#counters.add('verify.cached');
      return true;
    }
    this.#counters.add('verify.checked');
    if (!this.#deps.verify(originator, updateSignedBytes(u.prefix, u.seqno, originator), signature))
      return false;
    this.#verified.add(cacheKey, signature);
    return true;
  }

  #handleUpdate(n: Neighbour, u: Update): void {
    if (!isSeqno(u.seqno) || !Number.isInteger(u.metric) || u.metric < 0 || u.metric > METRIC_INFINITY) {
      this.#reject(RejectReason.Malformed);
      return;
    }
    const retraction = u.metric >= METRIC_INFINITY;
    if (retraction && u.prefix.ae === AE.Wildcard) {
      // RFC 8966 §4.6.9: a wildcard retraction withdraws every route the neighbour announced.
      for (const k of [...(this.#byNeighbour.get(n.id) ?? [])]) this.#retractFrom(n, k);
      return;
    }
    if (!isRoutablePrefix(u.prefix)) {
      this.#reject(RejectReason.BadPrefix);
      return;
    }
    const pk = prefixKey(u.prefix);
    if (retraction) {
      // Unsigned by design: it only withdraws what this neighbour itself announced.
      if (pk !== this.#xroute.key) this.#retractFrom(n, pk);
      return;
    }
    const { originator, signature } = u;
    if (originator?.length !== 32 || signature?.length !== 64) {
      this.#reject(RejectReason.NoOriginator);
      return;
    }
    const srcKey = sourceKey(pk, originator);
    if (pk === this.#xroute.key) {
      this.#handleOwnPrefixEcho(u, originator, signature, srcKey);
      return;
    }
    if (!prefixHas(u.prefix, this.#deps.addressOf(originator))) {
      this.#reject(RejectReason.PrefixNotOwned);
      return;
    }
    let e = this.#table.get(pk);
    const existing = e === undefined ? undefined : findRoute(e, n.id);
    if (
      existing !== undefined &&
      bytesEqual(existing.originator, originator) &&
      seqnoCompare(u.seqno, existing.seqno) < 0
    ) {
      // A neighbour's seqno for a source never goes backwards while it holds the source: a replay.
      this.#reject(RejectReason.Stale);
      return;
    }
    if (!this.#verifyUpdate(u, originator, signature, srcKey)) {
      this.#reject(RejectReason.BadSignature);
      return;
    }
    if (e === undefined) {
      if (this.#table.size >= this.#cfg.maxPrefixes) {
        this.#reject(RejectReason.TableFull);
        return;
      }
      e = {
        key: pk,
        prefix: u.prefix,
        routes: [],
        selected: undefined,
        installed: undefined,
        advertised: undefined,
      };
    }
    const source = this.#sources.ensureSource(srcKey, u.prefix, originator, this.#now);
    if (source === undefined) {
      this.#reject(RejectReason.TableFull);
      if (e.routes.length === 0) this.#table.delete(pk);
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
      if (e.routes.length >= this.#cfg.maxRoutesPerPrefix && !this.#evictWorst(e, u.metric + n.cost)) {
        this.#reject(RejectReason.TableFull);
        if (e.routes.length === 0) this.#table.delete(pk);
        return;
      }
      r = {
        neighbour: n,
        sourceKey: srcKey,
        originator: Uint8Array.from(originator),
        seqno: u.seqno,
        refMetric: u.metric,
        signature: Uint8Array.from(signature),
        expiresAt: this.#now + holdMs,
        smoothed: METRIC_INFINITY,
        smoothedAt: this.#now,
        smoothedTarget: METRIC_INFINITY,
      };
      e.routes.push(r);
      this.#table.set(pk, e);
      this.#byNeighbour.get(n.id)?.add(pk);
    } else {
      r.seqno = u.seqno;
      r.refMetric = u.metric;
      r.signature = Uint8Array.from(signature);
      r.expiresAt = this.#now + holdMs;
    }
    this.#counters.add('update.accepted');
    if (!this.#feasible(r)) this.#counters.add('update.infeasible');
    this.#armExpiry(r.expiresAt);
    this.#reselect(e);
    this.#satisfySeqnoRequest(e, srcKey, u.seqno);
  }

  /** Our own prefix came back. Someone else's key: reject. Ours, newer than our seqno: we restarted; jump past it. */
  #handleOwnPrefixEcho(u: Update, originator: Uint8Array, signature: Uint8Array, srcKey: string): void {
    if (!bytesEqual(originator, this.#deps.publicKey)) {
      this.#reject(RejectReason.OwnPrefix);
      return;
    }
    if (seqnoCompare(u.seqno, this.#xroute.seqno) < 0) return;
    if (!this.#verifyUpdate(u, originator, signature, srcKey)) {
      this.#reject(RejectReason.BadSignature);
      return;
    }
    this.#bumpOwnSeqno(seqnoPlus(u.seqno, 1));
  }

  /** Removes the route a neighbour announced for a prefix (its retraction or a wildcard one). */
  #retractFrom(n: Neighbour, pk: string): void {
    const e = this.#table.get(pk);
    if (e === undefined || flushRoute(e, n.id) === undefined) return;
    this.#byNeighbour.get(n.id)?.delete(pk);
    this.#counters.add('update.retraction');
    this.#reselect(e);
  }

  /** Makes room for a route of metric `metric` by dropping the worst unselected one, if it is worse. */
  #evictWorst(e: PrefixEntry, metric: number): boolean {
    let worst: Route | undefined;
    for (const r of e.routes)
      if (r !== e.selected && (worst === undefined || routeMetric(r) > routeMetric(worst))) worst = r;
    if (worst === undefined || routeMetric(worst) <= metric) return false;
    flushRoute(e, worst.neighbour.id);
    this.#byNeighbour.get(worst.neighbour.id)?.delete(e.key);
    return true;
  }

  #feasible(r: Route): boolean {
    return isFeasible(this.#sources.distance(r.sourceKey), r.seqno, r.refMetric);
  }

  /**
   * Re-runs route selection for one prefix and carries out the consequences: the forwarding-table
   * action, a triggered update or retraction, a seqno request on starvation, notifications, and
   * dropping the entry when it holds nothing.
   */
  #reselect(e: PrefixEntry): void {
    const old = e.selected;
    const sel = selectRoute(e, this.#now, (r) => this.#feasible(r));
    e.selected = sel;
    if (sel !== old) {
      if (sel !== undefined) {
        this.#counters.add('route.selected');
        this.#notify('routeSelected', {
          prefix: formatPrefix(e.prefix),
          neighbour: sel.neighbour.id,
          metric: routeMetric(sel),
          seqno: sel.seqno,
        });
      } else {
        this.#notify('routeLost', { prefix: formatPrefix(e.prefix) });
      }
    }
    this.#syncForwarding(e);
    let triggered = false;
    if (sel !== undefined) {
      const m = routeMetric(sel);
      const adv = e.advertised;
      // A new next hop is always announced: split horizon hid the old route from that neighbour.
      if (
        sel !== old ||
        adv === undefined ||
        adv.metric >= METRIC_INFINITY ||
        seqnoCompare(sel.seqno, adv.seqno) !== 0 ||
        significantChange(adv.metric, m, METRIC_TRIGGER_MIN_DELTA)
      ) {
        this.#sendTriggered(e);
        triggered = true;
      }
      this.#answerRouteRequest(e, triggered);
    } else {
      if (e.advertised !== undefined && e.advertised.metric < METRIC_INFINITY) this.#sendRetraction(e);
      this.#checkStarvation(e);
      if (e.routes.length === 0) this.#table.delete(e.key);
    }
  }

  /** Emits installRoute/removeRoute when the forwarding entry for this prefix changes. */
  #syncForwarding(e: PrefixEntry): void {
    const sel = e.selected;
    const inst = e.installed;
    if (sel === undefined) {
      if (inst !== undefined) {
        e.installed = undefined;
        this.#actions.push({ kind: 'removeRoute', prefix: e.prefix });
      }
      return;
    }
    const m = routeMetric(sel);
    if (
      inst !== undefined &&
      inst.neighbour === sel.neighbour.id &&
      inst.seqno === sel.seqno &&
      bytesEqual(inst.originator, sel.originator) &&
      !significantChange(inst.metric, m, METRIC_TRIGGER_MIN_DELTA)
    ) {
      return;
    }
    e.installed = { neighbour: sel.neighbour.id, metric: m, seqno: sel.seqno, originator: sel.originator };
    this.#actions.push({
      kind: 'installRoute',
      entry: {
        prefix: e.prefix,
        neighbour: sel.neighbour.id,
        metric: m,
        seqno: sel.seqno,
        originator: sel.originator,
      },
    });
  }

  // ------------------------------------------------------------------------------------------
  // Sending updates
  // ------------------------------------------------------------------------------------------

  /** Returns the Update announcing the selected route of `e`, and records it in the source's FD. */
  #advertise(e: PrefixEntry): Update | undefined {
    const sel = e.selected;
    if (sel === undefined) return undefined;
    const metric = routeMetric(sel);
    const source = this.#sources.findSource(sel.sourceKey);
    if (source !== undefined) this.#sources.noteAdvertised(source, sel.seqno, metric, this.#now);
    e.advertised = { seqno: sel.seqno, metric };
    this.#urgent.delete(e.key);
    return {
      type: TlvType.Update,
      flags: 0,
      interval: Math.round(this.#cfg.updateIntervalMs / 10),
      seqno: sel.seqno,
      metric,
      prefix: e.prefix,
      routerId: sel.originator.subarray(0, 8),
      originator: sel.originator,
      signature: sel.signature,
    };
  }

  /** True when split horizon keeps the selected route of `e` from neighbour `id`. */
  #splitHorizon(e: PrefixEntry, id: NeighbourId): boolean {
    return this.#cfg.splitHorizon && e.selected?.neighbour.id === id;
  }

  #sendTriggered(e: PrefixEntry): void {
    const u = this.#advertise(e);
    if (u === undefined) return;
    this.#counters.add('update.triggered');
    for (const id of this.#neighbours.keys())
      if (!this.#splitHorizon(e, id)) this.#outbox.queueUpdate(id, e.key, u);
  }

  #sendRetraction(e: PrefixEntry): void {
    const adv = e.advertised;
    e.advertised = { seqno: adv?.seqno ?? 0, metric: METRIC_INFINITY };
    const u: Update = {
      type: TlvType.Update,
      flags: 0,
      interval: Math.round(this.#cfg.updateIntervalMs / 10),
      seqno: adv?.seqno ?? 0,
      metric: METRIC_INFINITY,
      prefix: e.prefix,
    };
    this.#counters.add('route.retracted');
    for (const id of this.#neighbours.keys()) this.#outbox.queueUpdate(id, e.key, u);
    this.#urgent.set(e.key, { at: this.#now + URGENT_RESEND_MS, update: u });
    this.#timers.setEarlier(TimerKind.UrgentResend, this.#now + URGENT_RESEND_MS);
  }

  /** Queues our own prefix and every selected route (split horizon applied) to one neighbour. */
  #sendFullDump(n: Neighbour): void {
    this.#outbox.queueUpdate(n.id, this.#xroute.key, this.#ownUpdate());
    for (const e of this.#table.values()) {
      if (e.selected === undefined || this.#splitHorizon(e, n.id)) continue;
      const u = this.#advertise(e);
      if (u !== undefined) this.#outbox.queueUpdate(n.id, e.key, u);
    }
  }

  /** The periodic refresh: one Update per selected route (and ours) to each neighbour. */
  #sendPeriodicUpdates(): void {
    const own = this.#ownUpdate();
    const updates: [PrefixEntry, Update][] = [];
    for (const e of this.#table.values()) {
      const u = this.#advertise(e);
      if (u !== undefined) updates.push([e, u]);
    }
    for (const id of this.#neighbours.keys()) {
      this.#outbox.queueUpdate(id, this.#xroute.key, own);
      for (const [e, u] of updates) if (!this.#splitHorizon(e, id)) this.#outbox.queueUpdate(id, e.key, u);
    }
  }

  #ownUpdate(): Update {
    return this.#xroute.makeUpdate(Math.round(this.#cfg.updateIntervalMs / 10));
  }

  #sendOwnUpdateToAll(): void {
    const own = this.#ownUpdate();
    for (const id of this.#neighbours.keys()) this.#outbox.queueUpdate(id, this.#xroute.key, own);
  }

  #bumpOwnSeqno(target: number): void {
    if (this.#xroute.bumpSeqno(target, this.#now)) {
      this.#counters.add('seqno.bump');
      this.#notify('seqnoBump', { seqno: this.#xroute.seqno });
      this.#sendOwnUpdateToAll();
    }
  }

  // ------------------------------------------------------------------------------------------
  // Requests
  // ------------------------------------------------------------------------------------------

  #routeRequestTlv(prefix: Prefix, hopCount: number): RouteRequest {
    return { type: TlvType.RouteRequest, prefix, hopCount };
  }

  #seqnoRequestTlv(req: PendingRequest): SeqnoRequest {
    return {
      type: TlvType.SeqnoRequest,
      seqno: req.seqno ?? 0,
      hopCount: req.hopCount,
      routerId: (req.originator ?? new Uint8Array(8)).slice(0, 8),
      prefix: req.prefix,
      originator: req.originator,
    };
  }

  #handleWantRoute(address: Uint8Array): void {
    if (address.length !== 16) {
      this.#reject(RejectReason.Malformed);
      return;
    }
    const prefix = subnetOf(address);
    if (!isRoutablePrefix(prefix)) {
      this.#reject(RejectReason.BadPrefix);
      return;
    }
    const pk = prefixKey(prefix);
    if (pk === this.#xroute.key) return;
    const e = this.#table.get(pk);
    if (e?.selected !== undefined) return;
    if (e !== undefined && this.#checkStarvation(e)) return;
    const key = routeRequestKey(pk);
    const existing = this.#requests.findRequest(key);
    if (existing !== undefined) {
      this.#requests.adoptRequest(existing, this.#now);
      return;
    }
    const targets = [...this.#neighbours.keys()];
    const req = this.#requests.addRequest(
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
      this.#now,
    );
    if (req === undefined) {
      this.#counters.add('request.route.dropped');
      return;
    }
    this.#counters.add('request.route.sent');
    for (const id of targets)
      this.#outbox.queueTail(id, this.#routeRequestTlv(prefix, ROUTE_REQUEST_HOP_COUNT));
  }

  #handleRouteRequest(n: Neighbour, req: RouteRequest): void {
    if (req.prefix.ae === AE.Wildcard) {
      // A full dump, at most once per WILDCARD_REQUEST_MIN_INTERVAL_MS per neighbour (an amplifier otherwise).
      if (
        n.lastWildcardAnswerAt !== undefined &&
        this.#now - n.lastWildcardAnswerAt < WILDCARD_REQUEST_MIN_INTERVAL_MS
      ) {
        this.#counters.add('request.route.dropped');
        return;
      }
      n.lastWildcardAnswerAt = this.#now;
      this.#counters.add('request.route.answered');
      this.#sendFullDump(n);
      return;
    }
    if (!isRoutablePrefix(req.prefix)) {
      this.#reject(RejectReason.BadPrefix);
      return;
    }
    const pk = prefixKey(req.prefix);
    if (pk === this.#xroute.key) {
      this.#counters.add('request.route.answered');
      this.#outbox.queueUpdate(n.id, pk, this.#ownUpdate());
      return;
    }
    const e = this.#table.get(pk);
    if (e?.selected !== undefined) {
      if (this.#splitHorizon(e, n.id)) {
        // Our route goes through the requester: it is no answer for it.
        this.#counters.add('request.route.dropped');
        return;
      }
      const u = this.#advertise(e);
      if (u !== undefined) this.#outbox.queueUpdate(n.id, pk, u);
      this.#counters.add('request.route.answered');
      return;
    }
    const hops = req.hopCount;
    if (hops === undefined || hops < 2) {
      this.#counters.add('request.route.dropped');
      return;
    }
    const key = routeRequestKey(pk);
    const existing = this.#requests.findRequest(key);
    if (existing !== undefined) {
      this.#requests.addRequester(existing, n.id);
      this.#counters.add('request.route.deduped');
      return;
    }
    const targets = [...this.#neighbours.keys()].filter((id) => id !== n.id);
    if (targets.length === 0) {
      this.#counters.add('request.route.dropped');
      return;
    }
    const pending = this.#requests.addRequest(
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
      this.#now,
    );
    if (pending === undefined) {
      this.#counters.add('request.route.dropped');
      return;
    }
    this.#counters.add('request.route.forwarded');
    for (const id of targets) this.#outbox.queueTail(id, this.#routeRequestTlv(req.prefix, hops - 1));
  }

  /** A prefix just got a selected route: answer whoever asked for it, and forget the request. */
  #answerRouteRequest(e: PrefixEntry, triggered: boolean): void {
    const key = routeRequestKey(e.key);
    const req = this.#requests.findRequest(key);
    if (req === undefined) return;
    this.#requests.removeRequest(key);
    if (req.originated) this.#counters.add('request.route.satisfied');
    if (triggered) return; // the triggered update already went to every neighbour but the next hop
    for (const id of req.requesters) {
      if (!this.#neighbours.has(id) || this.#splitHorizon(e, id)) continue;
      const u = this.#advertise(e);
      if (u !== undefined) this.#outbox.queueUpdate(id, e.key, u);
    }
  }

  /** Resolves the originator a seqno request names: the full key if present, else by 8-byte router id. */
  #requestOriginator(req: SeqnoRequest, e: PrefixEntry | undefined): Uint8Array | undefined {
    if (req.originator !== undefined) return req.originator.length === 32 ? req.originator : undefined;
    const matches = (k: Uint8Array) =>
      req.routerId.length === 8 && bytesEqual(k.subarray(0, 8), req.routerId);
    if (matches(this.#deps.publicKey) && prefixKey(req.prefix) === this.#xroute.key)
      return this.#deps.publicKey;
    for (const r of e?.routes ?? []) if (matches(r.originator)) return r.originator;
    return undefined;
  }

  #handleSeqnoRequest(n: Neighbour, req: SeqnoRequest): void {
    if (!isRoutablePrefix(req.prefix) || !isSeqno(req.seqno)) {
      this.#reject(RejectReason.BadPrefix);
      return;
    }
    const pk = prefixKey(req.prefix);
    const e = this.#table.get(pk);
    const originator = this.#requestOriginator(req, e);
    if (originator === undefined) {
      this.#counters.add('request.seqno.dropped');
      return;
    }
    if (pk === this.#xroute.key) {
      if (!bytesEqual(originator, this.#deps.publicKey)) {
        this.#counters.add('request.seqno.dropped');
        return;
      }
      this.#counters.add('request.seqno.answered');
      if (seqnoCompare(req.seqno, this.#xroute.seqno) > 0) {
        this.#bumpOwnSeqno(req.seqno);
        if (this.#xroute.pendingBump !== undefined) this.#counters.add('seqno.bump-deferred');
      } else {
        this.#outbox.queueUpdate(n.id, pk, this.#ownUpdate());
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
      if (!this.#splitHorizon(e, n.id)) {
        const u = this.#advertise(e);
        if (u !== undefined) this.#outbox.queueUpdate(n.id, pk, u);
        this.#counters.add('request.seqno.answered');
        return;
      }
    }
    if (req.hopCount < 2 || e === undefined) {
      this.#counters.add('request.seqno.dropped');
      return;
    }
    const srcKey = sourceKey(pk, originator);
    const key = seqnoRequestKey(srcKey);
    const existing = this.#requests.findRequest(key);
    if (existing !== undefined && seqnoCompare(existing.seqno ?? 0, req.seqno) >= 0) {
      this.#requests.addRequester(existing, n.id);
      this.#counters.add('request.seqno.deduped');
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
      this.#counters.add('request.seqno.dropped');
      return;
    }
    let pending = existing;
    if (pending !== undefined) {
      pending.seqno = req.seqno;
      pending.hopCount = req.hopCount - 1;
      this.#requests.addRequester(pending, n.id);
    } else {
      pending = this.#requests.addRequest(
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
        this.#now,
      );
      if (pending === undefined) {
        this.#counters.add('request.seqno.dropped');
        return;
      }
    }
    this.#counters.add('request.seqno.forwarded');
    this.#outbox.queueTail(next.neighbour.id, this.#seqnoRequestTlv(pending));
  }

  /**
   * Starvation (RFC 8966 §3.8.2.1): no selectable route, but routes that are only infeasible. Asks
   * their neighbours for FD.seqno + 1. Returns true when a request is (or already was) pending.
   */
  #checkStarvation(e: PrefixEntry): boolean {
    if (e.selected !== undefined) return false;
    let best: Route | undefined;
    for (const r of e.routes) {
      if (routeMetric(r) >= METRIC_INFINITY || r.expiresAt <= this.#now) continue;
      if (best === undefined || routeMetric(r) < routeMetric(best)) best = r;
    }
    if (best === undefined) return false;
    const fd = this.#sources.distance(best.sourceKey);
    const key = seqnoRequestKey(best.sourceKey);
    const existing = this.#requests.findRequest(key);
    if (existing !== undefined) {
      this.#requests.adoptRequest(existing, this.#now);
      return true;
    }
    const targets = this.#starvedTargets(e, best.originator);
    const seqno = seqnoPlus(fd?.seqno ?? best.seqno, 1);
    const req = this.#requests.addRequest(
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
      this.#now,
    );
    if (req === undefined) {
      this.#counters.add('request.seqno.dropped');
      return false;
    }
    this.#counters.add('request.seqno.sent');
    for (const id of targets) this.#outbox.queueTail(id, this.#seqnoRequestTlv(req));
    return true;
  }

  /** Neighbours that announced a finite route from this originator for the prefix. */
  #starvedTargets(e: PrefixEntry, originator: Uint8Array): NeighbourId[] {
    const out: NeighbourId[] = [];
    for (const r of e.routes) {
      if (routeMetric(r) < METRIC_INFINITY && bytesEqual(r.originator, originator)) out.push(r.neighbour.id);
    }
    return out;
  }

  /** An accepted Update with `seqno` for a source: a pending seqno request it satisfies is answered and dropped. */
  #satisfySeqnoRequest(e: PrefixEntry, srcKey: string, seqno: number): void {
    const key = seqnoRequestKey(srcKey);
    const req = this.#requests.findRequest(key);
    if (req === undefined || seqnoCompare(seqno, req.seqno ?? 0) < 0) return;
    this.#requests.removeRequest(key);
    if (req.originated) this.#counters.add('request.seqno.satisfied');
    const sel = e.selected;
    if (sel === undefined || seqnoCompare(sel.seqno, req.seqno ?? 0) < 0) return;
    for (const id of req.requesters) {
      if (!this.#neighbours.has(id) || this.#splitHorizon(e, id) || this.#outbox.hasUpdate(id, e.key))
        continue;
      const u = this.#advertise(e);
      if (u !== undefined) this.#outbox.queueUpdate(id, e.key, u);
    }
  }

  // ------------------------------------------------------------------------------------------
  // Timers
  // ------------------------------------------------------------------------------------------

  #jitter(ms: number): number {
    return roughly(ms, this.#deps.random, JITTER_FRACTION);
  }

  #armExpiry(at: Millis): void {
    if (this.#expiryDeadline === undefined || at < this.#expiryDeadline) this.#expiryDeadline = at;
  }

  #handleTimeout(): void {
    for (const kind of this.#timers.takeExpired(this.#now)) {
      switch (kind) {
        case TimerKind.Hello:
          for (const n of this.#neighbours.values()) this.#sendHello(n);
          this.#timers.set(TimerKind.Hello, this.#now + this.#jitter(this.#cfg.helloIntervalMs));
          break;
        case TimerKind.NeighbourCheck:
          for (const n of [...this.#neighbours.values()]) {
            checkHellos(n, this.#now);
            this.#updateNeighbourCost(n);
          }
          break;
        case TimerKind.Update:
          this.#counters.add('update.periodic');
          this.#sendPeriodicUpdates();
          this.#timers.set(TimerKind.Update, this.#now + this.#jitter(this.#cfg.updateIntervalMs));
          break;
        case TimerKind.UrgentResend:
          this.#expiredUrgent();
          break;
        case TimerKind.Expiry:
          this.#expireRoutes();
          break;
        case TimerKind.Requests:
          this.#expiredRequests();
          break;
        case TimerKind.SeqnoBump:
          if (this.#xroute.pendingBump !== undefined) this.#bumpOwnSeqno(this.#xroute.pendingBump);
          break;
      }
    }
  }

  #expiredUrgent(): void {
    for (const [k, { at, update }] of this.#urgent) {
      if (at > this.#now) {
        this.#timers.setEarlier(TimerKind.UrgentResend, at);
        continue;
      }
      this.#urgent.delete(k);
      if (this.#table.get(k)?.selected !== undefined) continue;
      for (const id of this.#neighbours.keys()) this.#outbox.queueUpdate(id, k, update);
    }
  }

  /** Drops expired routes (re-selecting their prefixes) and unused sources; re-arms the sweep. */
  #expireRoutes(): void {
    this.#expiryDeadline = undefined;
    for (const e of [...this.#table.values()]) {
      const expired = e.routes.filter((r) => r.expiresAt <= this.#now);
      for (const r of expired) {
        flushRoute(e, r.neighbour.id);
        this.#byNeighbour.get(r.neighbour.id)?.delete(e.key);
        this.#counters.add('route.expired');
      }
      if (expired.length > 0) this.#reselect(e);
      for (const r of e.routes) this.#armExpiry(r.expiresAt);
    }
    const used = new Set<string>();
    for (const e of this.#table.values()) for (const r of e.routes) used.add(r.sourceKey);
    this.#sources.expireSources(this.#now, (k) => used.has(k));
    const gc = this.#sources.nextExpiry();
    if (gc !== undefined) this.#armExpiry(gc);
  }

  #expiredRequests(): void {
    const { resend, expired } = this.#requests.expireRequests(this.#now);
    for (const r of expired) this.#counters.add(`request.${r.kind}.expired`);
    for (const r of resend) {
      const e = this.#table.get(r.prefixKey);
      if (r.kind === 'route') {
        if (e?.selected !== undefined) continue;
        r.targets = [...this.#neighbours.keys()];
        for (const id of r.targets) this.#outbox.queueTail(id, this.#routeRequestTlv(r.prefix, r.hopCount));
      } else {
        if (e === undefined || e.selected !== undefined || r.originator === undefined) continue;
        r.targets = this.#starvedTargets(e, r.originator);
        for (const id of r.targets) this.#outbox.queueTail(id, this.#seqnoRequestTlv(r));
      }
      this.#counters.add(`request.${r.kind}.resent`);
    }
  }

  /** Re-arms the aggregate timer kinds from the current state (called after every handle()). */
  #refreshTimers(): void {
    let check: Millis | undefined;
    for (const n of this.#neighbours.values()) {
      const d = neighbourDeadline(n, this.#now);
      if (d !== undefined && (check === undefined || d < check)) check = d;
    }
    this.#timers.set(TimerKind.NeighbourCheck, check);
    this.#timers.set(TimerKind.Requests, this.#requests.nextDeadline());
    this.#timers.set(TimerKind.SeqnoBump, this.#xroute.bumpDeadline());
    this.#timers.set(TimerKind.Expiry, this.#expiryDeadline);
    if (this.#urgent.size === 0) this.#timers.set(TimerKind.UrgentResend, undefined);
  }

  // ------------------------------------------------------------------------------------------
  // Bookkeeping
  // ------------------------------------------------------------------------------------------

  #reject(reason: RejectReason): void {
    this.#counters.add(`reject.${reason}`);
  }

  #notify(event: string, detail: Record<string, unknown>): void {
    this.#actions.push({ kind: 'notify', event, detail });
  }
}

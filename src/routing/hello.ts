/**
 * Neighbours at the engine level (babeld's neighbour.c and the Hello/IHU half of message.c): a link
 * coming up or going down, the Hello + IHU exchange, and turning a neighbour's cost change into
 * re-selection of the prefixes it carries. The per-neighbour state and the cost formula are
 * neighbour.ts.
 */
import { type Tlv, TlvType } from '../wire/babel/types.js';
import { hex } from './_keys.js';
import { type EngineState, notify, reject } from './_state.js';
import type { NeighbourId } from './api.js';
import {
  COST_BAND_MAX,
  COST_BAND_MIN,
  COST_SETTLE_MS,
  METRIC_INFINITY,
  METRIC_TRIGGER_MIN_DELTA,
} from './constants.js';
import { inCounter, RejectReason } from './counters.js';
import {
  checkHellos,
  computeCost,
  createNeighbour,
  handleHello,
  handleIhu,
  makeHello,
  makeIhu,
  type Neighbour,
  noteAlive,
  rxcost,
} from './neighbour.js';
import { forgetUnacked, serviceNeighbour } from './reliable.js';
import { routeRequestTlv } from './request.js';
import { significantChange } from './route.js';
import { reselect } from './selection.js';
import { sendFullDump } from './send.js';
import { isSeqno } from './seqno.js';
import { NONE } from './table.js';

/** A link came up: a new neighbour gets a Hello + IHU and our pending route requests (the table once it is reachable). */
export function handleNeighbourUp(s: EngineState, id: NeighbourId, publicKey: Uint8Array): void {
  if (s.neighbours.has(id)) handleNeighbourDown(s, id);
  if (publicKey.length !== 32) {
    reject(s, RejectReason.Malformed);
    return;
  }
  if (s.neighbours.size >= s.cfg.maxNeighbours) {
    reject(s, RejectReason.TableFull);
    return;
  }
  const n = createNeighbour(id, publicKey, s.deps.random, s.now);
  n.slot = s.table.addNeighbour(n);
  s.neighbours.set(id, n);
  s.counters.add('neighbour.up');
  notify(s, 'neighbourUp', { neighbour: id, publicKey: hex(publicKey) });
  sendHello(s, n);
  // Outstanding route requests of ours go to the newcomer as well.
  for (const req of s.requests.all()) {
    if (req.kind === 'route' && req.originated) {
      s.outbox.queueTail(id, routeRequestTlv(req.prefix, req.hopCount));
      req.targets.push(id);
    }
  }
}

/** A link went down: every route through it is flushed and its prefix re-selected at once. */
export function handleNeighbourDown(s: EngineState, id: NeighbourId): void {
  const n = s.neighbours.get(id);
  if (n === undefined) return;
  s.neighbours.delete(id);
  s.outbox.forget(id);
  s.counters.add('neighbour.down');
  notify(s, 'neighbourDown', { neighbour: id });
  const t = s.table;
  for (const p of t.slotsVia(n.slot)) {
    const r = t.findRoute(p, n.slot);
    if (r === NONE) continue;
    t.removeRoute(p, r);
    reselect(s, p);
  }
  t.removeNeighbour(n.slot);
}

/** Queues a Hello and an IHU to `n` (they lead the packet). */
export function sendHello(s: EngineState, n: Neighbour): void {
  s.outbox.queueHead(n.id, makeHello(n, s.now, s.cfg.helloIntervalMs));
  s.outbox.queueHead(n.id, makeIhu(n, s.cfg.helloIntervalMs));
}

/** How far a finite link cost must move before it is applied: 1/16 of it, within [2, 8]. */
export function costBand(cost: number): number {
  return Math.max(COST_BAND_MIN, Math.min(COST_BAND_MAX, cost >> 4));
}

/** The Hello timer: a Hello + IHU to every neighbour. */
export function sendHellos(s: EngineState): void {
  for (const n of s.neighbours.values()) sendHello(s, n);
}

/**
 * Recomputes a neighbour's cost; on a change, re-selects every prefix it has a route for. A finite
 * cost moves at once only by at least costBand(); a smaller move is applied once the cost has
 * stayed on the same side of the applied one for COST_SETTLE_MS. RTT jitter moved costs by 1 at
 * most Hellos, and each move re-selected the whole table through that neighbour: at 10,000 nodes
 * the bulk of the steady-state work. Becoming reachable or unreachable always applies at once.
 */
export function updateNeighbourCost(s: EngineState, n: Neighbour): void {
  const cost = computeCost(n, s.now);
  if (cost === n.cost) {
    n.costDrift = 0;
    return;
  }
  const old = n.cost;
  if (old < METRIC_INFINITY && cost < METRIC_INFINITY && Math.abs(cost - old) < costBand(old)) {
    // A small move counts only once it has held the same direction for COST_SETTLE_MS: jitter
    // around a rounding boundary flips it back and forth and never gets there.
    const drift = cost > old ? 1 : -1;
    if (drift !== n.costDrift) {
      n.costDrift = drift;
      n.costDriftSince = s.now;
      return;
    }
    if (s.now - n.costDriftSince < COST_SETTLE_MS) return;
  }
  n.costDrift = 0;
  s.counters.add('neighbour.cost-changed');
  n.cost = cost;
  if (old >= METRIC_INFINITY !== cost >= METRIC_INFINITY) {
    const up = cost < METRIC_INFINITY;
    s.counters.add(up ? 'neighbour.reachable' : 'neighbour.unreachable');
    notify(s, up ? 'neighbourReachable' : 'neighbourUnreachable', { neighbour: n.id, cost });
    // The full dump waits for the Hello/IHU handshake (about one round trip after neighbourUp): sent
    // earlier, it reaches a neighbour that still counts us unreachable, and a busy node with
    // maxRoutesPerPrefix routes already cannot store routes of infinite metric (table-full), and
    // would not hear them again before the next periodic update.
    if (up) sendFullDump(s, n);
    else forgetUnacked(s, n);
  } else if (significantChange(old, cost, METRIC_TRIGGER_MIN_DELTA)) {
    notify(s, 'neighbourCost', { neighbour: n.id, cost, rttMs: n.rttMs });
  }
  for (const p of s.table.slotsVia(n.slot)) reselect(s, p);
}

/**
 * The NeighbourCheck timer: counts missed Hellos, silent neighbours and expired IHUs, applies the
 * cost changes, probes neighbours whose IHU is getting old and resends unacknowledged Updates
 * (reliable.ts).
 */
export function checkNeighbours(s: EngineState): void {
  for (const n of [...s.neighbours.values()]) {
    checkHellos(n, s.now);
    updateNeighbourCost(s, n);
    if (s.neighbours.get(n.id) === n) serviceNeighbour(s, n);
  }
}

/**
 * Steps (1) and (2) of a received packet: counts every TLV, takes its Hellos and then its IHUs (an
 * IHU's RTT sample needs the Hello of the same packet), answers a new neighbour at once, and
 * applies the cost change.
 */
export function handleHellos(s: EngineState, n: Neighbour, tlvs: readonly Tlv[]): void {
  let helloTransmitUs: number | undefined;
  let sawHello = false;
  // Any packet shows the neighbour's side of the link works: not silent, probing starts over.
  noteAlive(n, s.now);
  for (const t of tlvs) {
    s.counters.add(inCounter(t.type));
    if (t.type === TlvType.Hello) {
      if (!isSeqno(t.seqno)) continue;
      handleHello(n, t, s.now);
      helloTransmitUs = t.timestamp?.transmit;
      sawHello = true;
    }
  }
  for (const t of tlvs) if (t.type === TlvType.IHU) handleIhu(n, t, helloTransmitUs, s.now);
  // A new neighbour is answered at once, so both sides measure an RTT within one round trip.
  if (sawHello && !n.sentIhu && rxcost(n) < METRIC_INFINITY) sendHello(s, n);
  updateNeighbourCost(s, n);
}

/**
 * The engine's state in plain view (babeld keeps its tables as globals; hypha keeps them in one
 * record per engine), and the few helpers every concept file needs. engine.ts creates it; the
 * concept files (hello.ts, update.ts, request.ts, selection.ts, send.ts) take it as their first
 * argument. Internal: nothing outside src/routing sees it.
 */
import type { Prefix, Update } from '../wire/babel/types.js';
import { prefixIdOf } from './_keys.js';
import type { EngineAction, EngineDeps, Millis, NeighbourId, RoutingConfig } from './api.js';
import { JITTER_FRACTION, ROUTE_REFRESH_AHEAD_MS } from './constants.js';
import { Counters, type RejectReason } from './counters.js';
import { feasibleAgainst } from './feasibility.js';
import type { Neighbour } from './neighbour.js';
import { Outbox } from './outbox.js';
import { RequestTable } from './resend.js';
import { RouteTable } from './table.js';
import { roughly, TimerTable } from './timers.js';
import { XRoute } from './xroute.js';

export interface EngineState {
  readonly deps: EngineDeps;
  readonly cfg: RoutingConfig;
  /** The latest `now` handed to handle() (never goes backwards). */
  now: Millis;
  readonly neighbours: Map<NeighbourId, Neighbour>;
  /** Routes, sources and per-prefix state (table.ts); routes and slots are integers. */
  readonly table: RouteTable;
  readonly requests: RequestTable;
  readonly xroute: XRoute;
  readonly counters: Counters;
  readonly timers: TimerTable;
  readonly outbox: Outbox;
  /** Actions waiting for poll(); `actionHead` is the next one to hand out. */
  readonly actions: EngineAction[];
  actionHead: number;
  /** Retractions to send once more: prefix key → (when, the retraction). */
  readonly urgent: Map<string, { at: Millis; update: Update }>;
  /** Neighbours whose timer deadlines may have moved during this handle() (engine.ts refreshTimers). */
  readonly touched: Neighbour[];
  /** Earliest route expiry or source GC set since the last sweep (may be early). */
  expiryDeadline: Millis | undefined;
  /** Slots whose better route waits for its smoothed metric: re-selected at the given time (selection.ts). */
  readonly reselectAt: Map<number, Millis>;
  /** Earliest time in `reselectAt` (the Reselect timer). */
  reselectDeadline: Millis | undefined;
}

/** Returns a fresh state for the node described by `deps` (draws its start seqno from deps.random). */
export function createState(deps: EngineDeps, cfg: RoutingConfig, now: Millis): EngineState {
  return {
    deps,
    cfg,
    now,
    neighbours: new Map(),
    table: new RouteTable(now),
    requests: new RequestTable(cfg.maxPendingRequests),
    xroute: new XRoute(deps.subnet, deps.publicKey, deps.sign, Math.floor(deps.random() * 0x10000)),
    counters: new Counters(),
    timers: new TimerTable(),
    outbox: new Outbox(),
    actions: [],
    actionHead: 0,
    urgent: new Map(),
    touched: [],
    expiryDeadline: undefined,
    reselectAt: new Map(),
    reselectDeadline: undefined,
  };
}

const REJECT_NAMES = new Map<RejectReason, string>();

/** Counts a dropped Update or request under `reject.<reason>`. */
export function reject(s: EngineState, reason: RejectReason): void {
  let name = REJECT_NAMES.get(reason);
  if (name === undefined) {
    name = `reject.${reason}`;
    REJECT_NAMES.set(reason, name);
  }
  s.counters.add(name);
}

/** The slot of `prefix` in this engine's table, or NONE (table.ts) when it holds none. */
export function slotOf(s: EngineState, prefix: Prefix): number {
  return s.table.slotOfId(prefixIdOf(prefix));
}

/** Queues a notify action. */
export function notify(s: EngineState, event: string, detail: Record<string, unknown>): void {
  if (s.cfg.notifications) s.actions.push({ kind: 'notify', event, detail });
}

/** True when route `r` of slot `p` satisfies the feasibility condition against the slot's FD. */
export function feasible(s: EngineState, p: number, r: number): boolean {
  const t = s.table;
  return feasibleAgainst(t.hasFd(p), t.fdSeqno[p]!, t.fdMetric[p]!, t.rSeqno[r]!, t.rRef[r]!);
}

/** Returns `ms` jittered ±JITTER_FRACTION with the injected RNG. */
export function jitter(s: EngineState, ms: number): number {
  return roughly(ms, s.deps.random, JITTER_FRACTION);
}

/** Moves the expiry sweep earlier to `at` if it is later or unset. */
export function armExpiry(s: EngineState, at: Millis): void {
  if (s.expiryDeadline === undefined || at < s.expiryDeadline) s.expiryDeadline = at;
}

/** How long before a selected route expires its refresh is requested (constants.ts). */
export function refreshAhead(s: EngineState): number {
  return Math.min(ROUTE_REFRESH_AHEAD_MS, s.cfg.updateIntervalMs / 2);
}

/**
 * Slot `p`'s selected route was refreshed or newly selected: no refresh request is out for it, and
 * the expiry sweep runs in time to ask for one.
 */
export function armRefresh(s: EngineState, p: number): void {
  const t = s.table;
  const sel = t.sel[p]!;
  if (sel < 0) return;
  t.setRefreshAsks(p, 0);
  armExpiry(s, t.expiresAt(sel) - refreshAhead(s));
}

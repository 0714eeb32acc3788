/**
 * The routing engine's API: a sans-IO state machine in the shape of quinn's Connection.
 *
 * Driver order (the daemon and sim/ are the only two drivers, and both follow it):
 *   1. call `handle(event, now)` for each input (a decoded packet, a neighbour change, a timer tick);
 *   2. drain `poll()` until it returns undefined and carry out every action;
 *   3. re-arm the single timer to `nextTimeout()` if it changed, and call `handle({kind:'timer'}, now)`
 *      when it fires. A timer event before anything is due does nothing; `now` never goes backwards.
 *
 * Nothing in src/routing reads a clock, a socket or the global RNG: time arrives as `now`, randomness and
 * crypto through `EngineDeps`.
 */
import type { Prefix, Tlv } from '../wire/babel/types.js';

/** Monotonic milliseconds: the daemon's monotonic clock (never wall-clock Date), virtual time in the simulator. */
export type Millis = number;

/** The driver's handle for a neighbour (one authenticated link). Opaque to the engine. */
export type NeighbourId = string;

export type EngineEvent =
  /** A link to a neighbour is up; `publicKey` is its authenticated Ed25519 identity. */
  | { readonly kind: 'neighbourUp'; readonly neighbour: NeighbourId; readonly publicKey: Uint8Array }
  /** The link is gone (closed, failed, or its peer removed): routes through it are retracted or replaced at once. */
  | { readonly kind: 'neighbourDown'; readonly neighbour: NeighbourId }
  /** The TLVs of one decoded Babel packet received from a neighbour. */
  | { readonly kind: 'packet'; readonly neighbour: NeighbourId; readonly tlvs: readonly Tlv[] }
  /** The data plane has traffic for an address with no route: resolve it (route request). */
  | { readonly kind: 'wantRoute'; readonly address: Uint8Array }
  /** The timer the driver armed from nextTimeout() fired. */
  | { readonly kind: 'timer' }
  /**
   * This node is stopping: every neighbour gets a wildcard retraction (RFC 8966 §4.6.9), which
   * withdraws everything this node announced to it, so the mesh reroutes at once instead of after
   * the hello timeout. Send the resulting actions before closing the links.
   */
  | { readonly kind: 'shutdown' };

/** A forwarding-table entry as the data plane needs it. */
export interface ForwardingEntry {
  readonly prefix: Prefix;
  readonly neighbour: NeighbourId;
  readonly metric: number;
  readonly seqno: number;
  /** Ed25519 key of the node that originates the prefix (the end-to-end crypto peer). */
  readonly originator: Uint8Array;
}

export type EngineAction =
  /** Send these TLVs to one neighbour; the driver encodes them, splitting into packets that fit the link. */
  | { readonly kind: 'send'; readonly neighbour: NeighbourId; readonly tlvs: readonly Tlv[] }
  /** Install or replace the forwarding entry for `entry.prefix`. */
  | { readonly kind: 'installRoute'; readonly entry: ForwardingEntry }
  /** Remove the forwarding entry for this prefix (no route any more). */
  | { readonly kind: 'removeRoute'; readonly prefix: Prefix }
  /** Something a person or a metric may care about (route selected/retracted, neighbour cost changed, reject). */
  | { readonly kind: 'notify'; readonly event: string; readonly detail: Readonly<Record<string, unknown>> };

/** What the engine needs from outside, injected so the simulator can supply cheap stand-ins. */
export interface EngineDeps {
  /** This node's Ed25519 public key (its router id) and the /64 it announces. */
  readonly publicKey: Uint8Array;
  readonly subnet: Prefix;
  /** Signs a message with this node's Ed25519 key. */
  readonly sign: (message: Uint8Array) => Uint8Array;
  /** Verifies a signature by `publicKey`; never throws. */
  readonly verify: (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean;
  /** Returns the overlay address (16 bytes) a public key owns; may be a shared cache. */
  readonly addressOf: (publicKey: Uint8Array) => Uint8Array;
  /** Uniform random in [0, 1), for jitter. */
  readonly random: () => number;
}

/** A route as shown to operators and tests (selected and fallback). */
export interface RouteView {
  readonly prefix: Prefix;
  readonly originator: Uint8Array;
  readonly neighbour: NeighbourId;
  readonly seqno: number;
  readonly metric: number;
  readonly selected: boolean;
  readonly feasible: boolean;
  /** When the route expires if not refreshed. */
  readonly expiresAt: Millis;
}

export interface NeighbourView {
  readonly id: NeighbourId;
  readonly publicKey: Uint8Array;
  /** Smoothed round-trip time in ms, undefined until measured. */
  readonly rttMs: number | undefined;
  /** Link cost used in metrics; 0xFFFF when unreachable. */
  readonly cost: number;
}

/**
 * Tunables of one engine; every field has a default in constants.ts. The simulator varies the
 * intervals to measure their cost; the caps bound memory (docs/protocol/routing-engine.md).
 */
export interface RoutingConfig {
  /** Unicast Hello (+ IHU) period per neighbour, ms. Default HELLO_INTERVAL_MS (4 s). */
  readonly helloIntervalMs: number;
  /** Periodic full-refresh period (jittered ±25%), ms; also the interval written in Updates. Default 60 s. */
  readonly updateIntervalMs: number;
  /** Do not announce a route to the neighbour it goes through (safe on point-to-point links). Default true. */
  readonly splitHorizon: boolean;
  readonly maxNeighbours: number;
  readonly maxPrefixes: number;
  readonly maxRoutesPerPrefix: number;
  readonly maxSources: number;
  readonly maxPendingRequests: number;
  /** Emit `notify` actions (the daemon logs them; the simulator, which reads none, turns them off). */
  readonly notifications: boolean;
}

export interface RoutingEngine {
  handle(event: EngineEvent, now: Millis): void;
  poll(): EngineAction | undefined;
  nextTimeout(): Millis | undefined;
  routes(): RouteView[];
  neighbours(): NeighbourView[];
  /** Monotonic counters by name (messages in/out by type, rejects by reason, selections, retractions). */
  counters(): Readonly<Record<string, number>>;
  /**
   * Current sizes and values that go up and down (table sizes, own seqno), for metrics gauges and
   * tests. Optional so stand-in engines need not provide it.
   */
  gauges?(): Readonly<Record<string, number>>;
}

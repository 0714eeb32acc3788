/**
 * An N-node network of routing engines on a virtual clock, in the shape of quinn's test Pair grown
 * to N: in-memory point-to-point links with latency, `step()` to the next event, `drive(ms)`,
 * `driveBounded(n)`, per-link drop filters and cuts. Identities are real Ed25519 keys from fixed
 * seeds, with real sign/verify. Tests look only at polled actions and the engine's views.
 */

import { maskPrefix, NODE_SUBNET_LEN } from '../../src/identity/address.js';
import {
  identityFromSeed,
  type NodeIdentity,
  publicIdentityFromEd25519,
  sign,
  verify,
} from '../../src/identity/keys.js';
import type {
  EngineAction,
  EngineEvent,
  ForwardingEntry,
  Millis,
  RoutingConfig,
  RoutingEngine,
} from '../../src/routing/api.js';
import { createRoutingEngine } from '../../src/routing/engine.js';
import { updateSignedBytes } from '../../src/wire/babel/signed.js';
import { AE, type Prefix, type Tlv, TlvType, type Update } from '../../src/wire/babel/types.js';

/** A small deterministic PRNG (mulberry32), one per node. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The identity of test node `i`: Ed25519 from the seed [i+1, i+1, …]. */
export function testIdentity(i: number): NodeIdentity {
  return identityFromSeed(new Uint8Array(32).fill(i + 1));
}

const addressCache = new Map<string, Uint8Array>();
/** deps.addressOf: the overlay address of a key, cached across all nodes. */
export function addressOf(publicKey: Uint8Array): Uint8Array {
  const k = Buffer.from(publicKey).toString('hex');
  let a = addressCache.get(k);
  if (a === undefined) {
    a = publicIdentityFromEd25519(publicKey).address;
    addressCache.set(k, a);
  }
  return a;
}

/** The /64 Prefix of an identity. */
export function subnetPrefix(id: NodeIdentity): Prefix {
  return { ae: AE.IPv6, plen: NODE_SUBNET_LEN, addr: maskPrefix(id.address, NODE_SUBNET_LEN) };
}

export function prefixHex(p: Prefix): string {
  return Buffer.from(p.addr).toString('hex');
}

const signatures = new Map<string, Uint8Array>();

/**
 * An Update for `prefix` that `signer` signed as `originator` (by default itself). Signatures are
 * cached (Ed25519 is slow and the metric is not signed).
 */
export function signedUpdate(
  signer: NodeIdentity,
  prefix: Prefix,
  seqno: number,
  metric: number,
  originator: Uint8Array = signer.publicKey,
): Update {
  const k = `${prefixHex(prefix)}#${seqno}#${Buffer.from(originator).toString('hex')}#${Buffer.from(signer.publicKey).toString('hex')}`;
  let signature = signatures.get(k);
  if (signature === undefined) {
    signature = sign(signer, updateSignedBytes(prefix, seqno, originator));
    signatures.set(k, signature);
  }
  return { type: TlvType.Update, flags: 0, interval: 6000, seqno, metric, prefix, originator, signature };
}

export class SimNode {
  readonly index: number;
  readonly identity: NodeIdentity;
  engine: RoutingEngine;
  /** Every action polled, in order. */
  readonly actions: EngineAction[] = [];
  /** The forwarding table as built from installRoute/removeRoute: prefix hex → entry. */
  readonly fib = new Map<string, ForwardingEntry>();
  readonly #config: Partial<RoutingConfig>;
  #rngSeed: number;

  constructor(index: number, config: Partial<RoutingConfig>, now: Millis, rngSeed = index * 7919 + 17) {
    this.index = index;
    this.identity = testIdentity(index);
    this.#config = config;
    this.#rngSeed = rngSeed;
    this.engine = this.#create(now);
  }

  #create(now: Millis): RoutingEngine {
    const identity = this.identity;
    return createRoutingEngine(
      {
        publicKey: identity.publicKey,
        subnet: subnetPrefix(identity),
        sign: (m) => sign(identity, m),
        verify,
        addressOf,
        random: mulberry32(this.#rngSeed),
      },
      this.#config,
      now,
    );
  }

  /** Replaces the engine by a fresh one (a daemon restart); `rngSeed` picks its initial seqno. */
  restart(now: Millis, rngSeed: number): void {
    this.#rngSeed = rngSeed;
    this.fib.clear();
    this.engine = this.#create(now);
  }

  get prefix(): Prefix {
    return subnetPrefix(this.identity);
  }

  /** Next hop (neighbour id) toward node `dst`'s prefix, or undefined. */
  nextHop(dst: SimNode): string | undefined {
    return this.fib.get(prefixHex(dst.prefix))?.neighbour;
  }

  notifications(event: string): EngineAction[] {
    return this.actions.filter((a) => a.kind === 'notify' && a.event === event);
  }

  counter(name: string): number {
    return this.engine.counters()[name] ?? this.engine.gauges?.()[name] ?? 0;
  }
}

interface Delivery {
  at: Millis;
  seq: number;
  to: number;
  from: number;
  tlvs: readonly Tlv[];
}

interface Link {
  latencyMs: number;
  cut: boolean;
  /** Return true to drop this packet (from → to). */
  drop?: (from: number, to: number, tlvs: readonly Tlv[]) => boolean;
  /** Rewrites the TLVs of a packet (from → to) in flight; an empty result drops it. */
  filter?: (from: number, to: number, tlvs: readonly Tlv[]) => readonly Tlv[];
}

function linkKey(a: number, b: number): string {
  return a < b ? `${a}-${b}` : `${b}-${a}`;
}

export interface NetOptions {
  latencyMs?: number;
  config?: Partial<RoutingConfig>;
}

export class Net {
  time: Millis = 0;
  readonly nodes: SimNode[] = [];
  readonly links = new Map<string, Link>();
  readonly #inflight: Delivery[] = [];
  #seq = 0;
  readonly #latency: number;
  /** Called after every step (for invariants such as loop freedom). */
  onStep: ((net: Net) => void) | undefined;
  /** Packets delivered, for traffic accounting. */
  delivered = 0;

  constructor(n: number, opts: NetOptions = {}) {
    this.#latency = opts.latencyMs ?? 10;
    for (let i = 0; i < n; i++) this.nodes.push(new SimNode(i, opts.config ?? {}, 0));
  }

  node(i: number): SimNode {
    return this.nodes[i]!;
  }

  /** Feeds one event to node `i` and drains its actions. */
  handle(i: number, ev: EngineEvent): void {
    const node = this.node(i);
    node.engine.handle(ev, this.time);
    this.#drain(node);
  }

  /** Brings up the link a–b (neighbourUp on both sides). Neighbour ids are the peer's index as a string. */
  connect(a: number, b: number, latencyMs = this.#latency, filter?: Link['filter']): void {
    this.links.set(linkKey(a, b), { latencyMs, cut: false, filter });
    this.handle(a, { kind: 'neighbourUp', neighbour: String(b), publicKey: this.node(b).identity.publicKey });
    this.handle(b, { kind: 'neighbourUp', neighbour: String(a), publicKey: this.node(a).identity.publicKey });
  }

  /** Takes the link down cleanly (neighbourDown on both sides). */
  disconnect(a: number, b: number): void {
    this.links.delete(linkKey(a, b));
    this.handle(a, { kind: 'neighbourDown', neighbour: String(b) });
    this.handle(b, { kind: 'neighbourDown', neighbour: String(a) });
  }

  /** Silently drops every packet on a–b from now on (the engines are not told). */
  cut(a: number, b: number): void {
    const l = this.links.get(linkKey(a, b));
    if (l) l.cut = true;
  }

  /** Installs a per-link drop filter. */
  setDrop(a: number, b: number, drop: Link['drop']): void {
    const l = this.links.get(linkKey(a, b));
    if (l) l.drop = drop;
  }

  /** Installs (or with undefined removes) a per-link TLV filter. */
  setFilter(a: number, b: number, filter: Link['filter']): void {
    const l = this.links.get(linkKey(a, b));
    if (l) l.filter = filter;
  }

  /** Delivers a packet to node `to` as if neighbour `from` had sent it, now. */
  inject(to: number, from: string, tlvs: readonly Tlv[]): void {
    this.handle(to, { kind: 'packet', neighbour: from, tlvs });
  }

  #drain(node: SimNode): void {
    for (let a = node.engine.poll(); a !== undefined; a = node.engine.poll()) {
      node.actions.push(a);
      switch (a.kind) {
        case 'send': {
          const to = Number(a.neighbour);
          const l = this.links.get(linkKey(node.index, to));
          if (!l || l.cut || l.drop?.(node.index, to, a.tlvs)) break;
          const tlvs = l.filter ? l.filter(node.index, to, a.tlvs) : a.tlvs;
          if (tlvs.length === 0) break;
          this.#inflight.push({ at: this.time + l.latencyMs, seq: this.#seq++, to, from: node.index, tlvs });
          break;
        }
        case 'installRoute':
          node.fib.set(prefixHex(a.entry.prefix), a.entry);
          break;
        case 'removeRoute':
          node.fib.delete(prefixHex(a.prefix));
          break;
        case 'notify':
          break;
      }
    }
  }

  /** The time of the next event (a delivery or a timer), or undefined when nothing is scheduled. */
  nextEvent(): Millis | undefined {
    let t: Millis | undefined;
    for (const d of this.#inflight) if (t === undefined || d.at < t) t = d.at;
    for (const n of this.nodes) {
      const nt = n.engine.nextTimeout();
      if (nt !== undefined && (t === undefined || nt < t)) t = nt;
    }
    return t;
  }

  /** Moves time to the next event and runs everything due then. Returns false when nothing is scheduled. */
  step(): boolean {
    const t = this.nextEvent();
    if (t === undefined) return false;
    if (t > this.time) this.time = t;
    const due = this.#inflight.filter((d) => d.at <= this.time).sort((x, y) => x.at - y.at || x.seq - y.seq);
    for (const d of due) this.#inflight.splice(this.#inflight.indexOf(d), 1);
    for (const d of due) {
      const l = this.links.get(linkKey(d.from, d.to));
      if (!l || l.cut) continue; // the link went away while the packet was in flight
      this.delivered++;
      this.inject(d.to, String(d.from), d.tlvs);
    }
    for (const n of this.nodes) {
      const nt = n.engine.nextTimeout();
      if (nt !== undefined && nt <= this.time) this.handle(n.index, { kind: 'timer' });
    }
    this.onStep?.(this);
    return true;
  }

  /** Runs steps until virtual time reaches now + `ms`. */
  drive(ms: Millis): void {
    const end = this.time + ms;
    while (this.nextEvent() !== undefined && this.nextEvent()! <= end) this.step();
    this.time = Math.max(this.time, end);
  }

  /** Runs at most `n` steps; returns how many ran. */
  driveBounded(n: number): number {
    let i = 0;
    while (i < n && this.step()) i++;
    return i;
  }

  /** Runs until `pred` holds (checked after each step) or `maxMs` passes; returns the time it held, or undefined. */
  driveUntil(pred: (net: Net) => boolean, maxMs: Millis): Millis | undefined {
    const end = this.time + maxMs;
    if (pred(this)) return this.time;
    while (this.nextEvent() !== undefined && this.nextEvent()! <= end) {
      this.step();
      if (pred(this)) return this.time;
    }
    return undefined;
  }

  /** True when every node has a forwarding entry for every other node's prefix. */
  converged(): boolean {
    return this.nodes.every((a) => this.nodes.every((b) => a === b || a.nextHop(b) !== undefined));
  }

  /**
   * Follows next hops from every node toward every destination; throws on a loop. Returns the
   * number of (src, dst) pairs that reach their destination.
   */
  checkLoopFree(): number {
    let reached = 0;
    for (const dst of this.nodes) {
      for (const src of this.nodes) {
        if (src === dst) continue;
        const seen = new Set<number>([src.index]);
        let cur = src;
        for (;;) {
          const hop = cur.nextHop(dst);
          if (hop === undefined) break;
          const next = this.node(Number(hop));
          if (next === dst) {
            reached++;
            break;
          }
          if (seen.has(next.index)) {
            throw new Error(
              `routing loop toward ${dst.index} at t=${this.time}: ${[...seen, next.index].join(' → ')}`,
            );
          }
          seen.add(next.index);
          cur = next;
        }
      }
    }
    return reached;
  }
}

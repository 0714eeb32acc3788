/**
 * An in-memory network of LinkManagers on a virtual clock (quinn's test Pair grown to N nodes):
 * 'send' actions become deliveries after a latency, with optional loss and per-packet filters;
 * `step()` moves the clock to the next delivery or timer; `runFor(ms)` and `runUntil(pred)` drive
 * it. Optional "hellos" play routing's part: every node sends a control packet to each up
 * neighbour every 4 s. Identities are real Ed25519 keys from fixed seeds; handshakes are real.
 * Tests look only at polled actions, counters(), links() and the Data-frame lookups.
 */
import { createHash } from 'node:crypto';
import type { LinkIdentity } from '../../src/crypto/handshake.js';
import { type NetworkKeys, networkKeys, privateNetworkKey } from '../../src/crypto/network-key.js';
import { identityFromSeed, type NodeIdentity } from '../../src/identity/keys.js';
import type { Endpoint, LinkAction, LinkManager, Millis } from '../../src/link/api.js';
import { createLinkManager, type LinkConfig } from '../../src/link/manager.js';
import type { FrameType } from '../../src/wire/link/constants.js';

/** A small deterministic PRNG (mulberry32). */
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

/** A deterministic randomBytes: SHA-256(label ‖ counter) blocks. Tests only. */
export function seededBytes(label: string): (n: number) => Uint8Array {
  let counter = 0;
  return (n: number) => {
    const out = new Uint8Array(n);
    for (let at = 0; at < n; at += 32) {
      const block = createHash('sha256').update(label).update(String(counter++)).digest();
      out.set(block.subarray(0, Math.min(32, n - at)), at);
    }
    return out;
  };
}

export const PSK = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
export const OTHER_PSK = Uint8Array.from({ length: 32 }, (_, i) => 200 - i);

/** The network keys of the test network (or of another PSK). */
export function testKeys(psk: Uint8Array = PSK): NetworkKeys {
  return networkKeys(privateNetworkKey(psk, 'lab'));
}

/** The identity of test node `i`: Ed25519 from the seed [i+1, i+1, …]. */
export function testIdentity(i: number): NodeIdentity {
  return identityFromSeed(new Uint8Array(32).fill(i + 1));
}

/** The neighbour id of a key. */
export function idOf(key: Uint8Array): string {
  return Buffer.from(key).toString('hex');
}

export function endpointOf(i: number): Endpoint {
  return { address: `198.18.0.${i + 1}`, port: 9651 };
}

function keyOf(ep: Endpoint): string {
  return `${ep.address}|${ep.port}`;
}

export interface Datagram {
  readonly at: Millis;
  readonly from: Endpoint;
  readonly to: Endpoint;
  readonly datagram: Uint8Array;
}

/** A recorded non-send action with its time. */
export interface Event {
  readonly at: Millis;
  readonly action: Exclude<LinkAction, { kind: 'send' }>;
}

export interface NodeOptions {
  readonly psk?: Uint8Array;
  readonly config?: Partial<LinkConfig>;
  /** Which identity seed (default: the node's index). */
  readonly identity?: number;
}

export class Node {
  manager: LinkManager;
  endpoint: Endpoint;
  readonly events: Event[] = [];
  /** Neighbours currently up (from 'up'/'down' actions). */
  readonly up = new Set<string>();
  private generation = 0;

  constructor(
    readonly index: number,
    readonly identity: LinkIdentity,
    readonly keys: NetworkKeys,
    private readonly config: Partial<LinkConfig>,
  ) {
    this.endpoint = endpointOf(index);
    this.manager = this.build();
  }

  get id(): string {
    return idOf(this.identity.publicKey);
  }

  /** A fresh manager with the same identity (a restart: all link state lost). */
  build(): LinkManager {
    const label = `node-${this.index}-gen-${this.generation++}`;
    return createLinkManager(
      {
        identity: this.identity,
        keys: this.keys,
        randomBytes: seededBytes(label),
        random: mulberry32(this.index * 7919 + this.generation),
      },
      this.config,
    );
  }

  counters(): Readonly<Record<string, number>> {
    return this.manager.counters();
  }

  count(name: string): number {
    return this.manager.counters()[name] ?? 0;
  }

  ofKind<K extends Event['action']['kind']>(
    kind: K,
  ): Array<{ at: Millis; action: Extract<Event['action'], { kind: K }> }> {
    return this.events.filter((e) => e.action.kind === kind) as Array<{
      at: Millis;
      action: Extract<Event['action'], { kind: K }>;
    }>;
  }

  /** Control bodies received from `from`, with times. */
  controlsFrom(from: Node): Array<{ at: Millis; body: Uint8Array }> {
    return this.ofKind('control')
      .filter((e) => e.action.neighbour === from.id)
      .map((e) => ({ at: e.at, body: e.action.body }));
  }
}

export interface NetOptions {
  readonly latencyMs?: number;
  /** Probability in [0, 1) that a datagram is lost. */
  readonly loss?: number;
  readonly seed?: number;
}

export class Net {
  now: Millis = 0;
  readonly nodes: Node[] = [];
  /** Every datagram sent (delivered or not), in order. */
  readonly sent: Datagram[] = [];
  latencyMs: number;
  loss: number;
  /** Return false to drop a datagram (checked at send time). */
  filter: ((d: Datagram) => boolean) | undefined;
  private readonly rng: () => number;
  private queue: Datagram[] = [];
  private readonly byEndpoint = new Map<string, Node>();
  private helloIntervalMs: Millis | undefined;
  private nextHelloAt: Millis = Number.POSITIVE_INFINITY;
  private helloSeq = 0;

  constructor(opts: NetOptions = {}) {
    this.latencyMs = opts.latencyMs ?? 5;
    this.loss = opts.loss ?? 0;
    this.rng = mulberry32(opts.seed ?? 1);
  }

  addNode(opts: NodeOptions = {}): Node {
    const i = this.nodes.length;
    const node = new Node(i, testIdentity(opts.identity ?? i), testKeys(opts.psk), opts.config ?? {});
    this.nodes.push(node);
    this.byEndpoint.set(keyOf(node.endpoint), node);
    return node;
  }

  /** Static peering: `a` keeps a link to `b`'s endpoint. */
  connect(a: Node, b: Node, expectedKey?: Uint8Array): void {
    a.manager.addPeer({ endpoint: b.endpoint, origin: 'static', expectedKey }, this.now);
    this.drain(a);
  }

  /** Moves a node to a new endpoint (roaming); datagrams to the old one are lost from now on. */
  move(node: Node, to: Endpoint): void {
    this.byEndpoint.delete(keyOf(node.endpoint));
    node.endpoint = to;
    this.byEndpoint.set(keyOf(to), node);
  }

  /** Replaces a node's manager with a fresh one, same identity (a crash and restart). */
  restart(node: Node): void {
    node.manager = node.build();
    node.up.clear();
  }

  /** From now on every node sends a control packet to each up neighbour every `intervalMs`. */
  startHellos(intervalMs = 4_000): void {
    this.helloIntervalMs = intervalMs;
    this.nextHelloAt = this.now;
  }

  stopHellos(): void {
    this.helloIntervalMs = undefined;
    this.nextHelloAt = Number.POSITIVE_INFINITY;
  }

  /** Hands `datagram` to `to` now, as if it came from `from` (attackers, replays). */
  inject(to: Node, datagram: Uint8Array, from: Endpoint): void {
    to.manager.handleDatagram(datagram, from, this.now);
    this.drain(to);
  }

  /** Carries out a node's queued actions. */
  drain(node: Node): void {
    for (let a = node.manager.poll(); a !== undefined; a = node.manager.poll()) {
      if (a.kind === 'send') {
        const d: Datagram = {
          at: this.now + this.latencyMs,
          from: node.endpoint,
          to: a.to,
          datagram: a.datagram,
        };
        this.sent.push(d);
        if (this.filter && !this.filter(d)) continue;
        if (this.loss > 0 && this.rng() < this.loss) continue;
        this.enqueue(d);
        continue;
      }
      node.events.push({ at: this.now, action: a });
      if (a.kind === 'up') node.up.add(a.neighbour);
      if (a.kind === 'down') node.up.delete(a.neighbour);
    }
  }

  private enqueue(d: Datagram): void {
    let i = this.queue.length;
    while (i > 0 && this.queue[i - 1]!.at > d.at) i--;
    this.queue.splice(i, 0, d);
  }

  /** The time of the next event, or undefined when nothing is scheduled. */
  nextEventAt(): Millis | undefined {
    let t = this.queue[0]?.at ?? Number.POSITIVE_INFINITY;
    for (const n of this.nodes) {
      const d = n.manager.nextTimeout();
      if (d !== undefined && d < t) t = d;
    }
    if (this.nextHelloAt < t) t = this.nextHelloAt;
    return t === Number.POSITIVE_INFINITY ? undefined : Math.max(t, this.now);
  }

  /** Advances to the next event (not past `limit`) and handles everything due then. */
  step(limit: Millis = Number.POSITIVE_INFINITY): boolean {
    const t = this.nextEventAt();
    if (t === undefined || t > limit) return false;
    this.now = t;
    while (this.queue.length > 0 && this.queue[0]!.at <= this.now) {
      const d = this.queue.shift()!;
      const node = this.byEndpoint.get(keyOf(d.to));
      if (!node) continue;
      node.manager.handleDatagram(d.datagram, d.from, this.now);
      this.drain(node);
    }
    for (const n of this.nodes) {
      const due = n.manager.nextTimeout();
      if (due !== undefined && due <= this.now) {
        n.manager.handleTimer(this.now);
        this.drain(n);
      }
    }
    if (this.helloIntervalMs !== undefined && this.nextHelloAt <= this.now) {
      this.nextHelloAt = this.now + this.helloIntervalMs;
      for (const n of this.nodes) {
        for (const neighbour of n.up) {
          const body = Uint8Array.of(42, 2, 0, 4, (this.helloSeq >>> 8) & 0xff, this.helloSeq & 0xff, 0, 0);
          this.helloSeq++;
          n.manager.sendControl(neighbour, body, this.now);
        }
        this.drain(n);
      }
    }
    return true;
  }

  /** Runs until `ms` of virtual time have passed. */
  runFor(ms: Millis): void {
    const end = this.now + ms;
    let sameTime = 0;
    let last = this.now;
    while (this.step(end)) {
      if (this.now === last) {
        if (++sameTime > 100_000) throw new Error(`livelock at t=${this.now}`);
      } else {
        sameTime = 0;
        last = this.now;
      }
    }
    this.now = end;
  }

  /** Runs until `pred()` holds (checked after each step) or `maxMs` passed; returns whether it held. */
  runUntil(pred: () => boolean, maxMs: Millis = 60_000): boolean {
    const end = this.now + maxMs;
    while (!pred()) {
      if (!this.step(end)) {
        this.now = end;
        return pred();
      }
    }
    return true;
  }

  /** Datagrams of one frame type sent from `from` (optionally to `to`). */
  sentOfType(type: FrameType, from?: Node, to?: Node): Datagram[] {
    return this.sent.filter(
      (d) =>
        d.datagram[0] === type &&
        (!from || keyOf(d.from) === keyOf(from.endpoint)) &&
        (!to || keyOf(d.to) === keyOf(to.endpoint)),
    );
  }
}

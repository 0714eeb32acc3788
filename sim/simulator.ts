/**
 * The discrete-event simulator: N routing engines on virtual time.
 *
 * 1. Build: keyring (one identity per node), links from the topology, boot events spread over
 *    `bootSpreadMs`, the fault schedule, periodic samples.
 * 2. Run: pop the earliest event (ties in scheduling order), hand it to one engine, then drive that
 *    engine in the documented order (src/routing/api.ts): `handle`, drain `poll()` and carry out
 *    every action, re-arm the node's one timer event only if `nextTimeout()` moved.
 * 3. Check after every action: an installed route must not close a forwarding loop and must not
 *    come from a forged Update. At each sample: reachability against the true live graph.
 * 4. Finish: the final correctness check (after the quiet period), path stretch, traffic, memory.
 *
 * Everything random comes from forks of one seeded `Rng`; there is no clock and no Math.random, so
 * a seed gives the same run, byte for byte.
 */
import type { EngineAction, EngineDeps, EngineEvent, Millis, RoutingEngine } from '../src/routing/api.js';
import { bytesEqual } from '../src/util/bytes.js';
import { type Tlv, TlvType } from '../src/wire/babel/types.js';
import { type ByteMode, measureSend } from './bytes.js';
import { describeFault, type Fault } from './faults.js';
import { ForwardingState, type LiveGraph } from './forwarding.js';
import { type Keyring, RealKeyring, SimKeyring } from './keyring.js';
import { Forger, seqnoNewer } from './malicious.js';
import { dijkstra, summarize } from './paths.js';
import { EventQueue } from './queue.js';
import { Rng } from './rng.js';
import type { Topology } from './topology/types.js';
import { Trace, TraceKind } from './trace.js';

/** Builds one engine: the simulator's way of calling `createRoutingEngine(deps, config, now)`. */
export type EngineFactory = (deps: EngineDeps, now: Millis) => RoutingEngine;

export interface SimOptions {
  readonly topology: Topology;
  readonly engine: EngineFactory;
  readonly seed: number;
  /** Virtual run time, ms. */
  readonly durationMs: number;
  readonly faults?: readonly Fault[];
  /** Real Ed25519 instead of the keyed-hash stand-in (slow; small runs). */
  readonly realCrypto?: boolean;
  /** Extra one-way delay drawn uniformly from [0, jitter] per packet; default 10% of the link latency. */
  readonly jitterMs?: number;
  /** Packet loss probability on every link (faults can change it per link). Default 0. */
  readonly loss?: number;
  /** Delay between a link failing and its ends being told (neighbourDown). Default 0. */
  readonly detectMs?: number;
  /** Nodes boot at uniform times in [0, bootSpreadMs]. Default 1000. */
  readonly bootSpreadMs?: number;
  /** Reachability sampling period (the resolution of convergence times). Default 100 ms. */
  readonly sampleMs?: number;
  /** How long after the last fault the network must be fully converged. Default 30 s. */
  readonly quietMs?: number;
  /** Forgery rounds of a malicious node, ms apart. Default 2000. */
  readonly forgeIntervalMs?: number;
  /** How many (source, destination) pairs to measure stretch on. Default 2000 (all pairs if fewer). */
  readonly stretchPairs?: number;
  /**
   * Keep fractional milliseconds (packet jitter, the engine's jittered deadlines) instead of the
   * default integer-ms clock (packets rounded, timers rounded up). The daemon's clock is fractional
   * (performance.now()), so this finds float-rounding bugs in deadline arithmetic. Default false.
   */
  readonly floatTime?: boolean;
  /** How control bytes are counted: the real codec (default) or the RFC-size estimate. */
  readonly bytes?: ByteMode;
  /** Keep running after an invariant violation (counting them) instead of stopping. Default false. */
  readonly keepGoing?: boolean;
  /** Trace records kept for failure reports. Default 40. */
  readonly traceTail?: number;
  /** Called now and then with the virtual time, for progress display. */
  readonly onProgress?: (nowMs: number, durationMs: number) => void;
}

export type ViolationKind = 'loop' | 'forged-route' | 'unconverged' | 'engine-error';

export interface Violation {
  readonly kind: ViolationKind;
  readonly atMs: number;
  readonly message: string;
  /** The last events before the violation, oldest first. */
  readonly trace: readonly string[];
}

export interface PhaseResult {
  readonly atMs: number;
  readonly fault: string;
  /** Time from the fault until the network was last seen fully correct within this phase; null if never. */
  readonly recoveryMs: number | null;
}

export interface SeriesPoint {
  readonly tMs: number;
  /** Fraction of (source, destination) pairs in the same partition whose next hops lead there. */
  readonly reachable: number;
  /** Control packets and bytes sent by all nodes during the interval ending at tMs. */
  readonly packets: number;
  readonly bytes: number;
}

export interface SimResult {
  readonly nodes: number;
  readonly edges: number;
  readonly topology: string;
  readonly seed: number;
  readonly durationMs: number;
  readonly converged: boolean;
  readonly convergenceMs: number | null;
  readonly loopsDetected: number;
  readonly forgedRoutesSelected: number;
  readonly unreachablePairs: number;
  readonly staleRoutes: number;
  readonly controlMsgsPerNodePerSec: { readonly mean: number; readonly max: number };
  readonly controlTlvsPerNodePerSec: { readonly mean: number; readonly max: number };
  readonly controlBytesPerNodePerSec: { readonly mean: number; readonly max: number };
  /** The same over the last quarter of the run (at most 60 s): the steady-state load. */
  readonly steadyMsgsPerNodePerSec: { readonly mean: number; readonly max: number };
  readonly steadyBytesPerNodePerSec: { readonly mean: number; readonly max: number };
  readonly updatesPerNodePerSec: number;
  /** Forwarding-table changes (a next hop set, changed or removed) over the whole run, all nodes. */
  readonly routeChanges: number;
  /**
   * The same after the network last became fully correct (after convergenceMs, or after the last
   * fault's recovery): route flapping in a converged network. null when it never became correct.
   */
  readonly routeChangesAfterConvergence: number | null;
  /** Route changes over the steady window (the last quarter of the run, at most 60 s), all nodes. */
  readonly steadyRouteChanges: number;
  readonly routeTable: { readonly mean: number; readonly max: number };
  readonly forwardingEntries: { readonly mean: number; readonly max: number };
  readonly maxStretch: number;
  readonly meanStretch: number;
  readonly p95Stretch: number;
  readonly stretchSamples: readonly number[];
  readonly faults: readonly PhaseResult[];
  readonly quietPeriodOk: boolean;
  readonly forgedUpdatesSent: number;
  readonly packetsDropped: number;
  /** Sends the codec refused to encode (counted with the estimate instead); should be 0. */
  readonly encodeErrors: number;
  readonly eventsProcessed: number;
  readonly traceHash: string;
  readonly violations: readonly Violation[];
  readonly series: readonly SeriesPoint[];
  readonly engineCounters: Readonly<Record<string, number>>;
}

interface Link {
  readonly a: number;
  readonly b: number;
  latencyMs: number;
  jitterMs: number;
  loss: number;
  adminUp: boolean;
  cut: boolean;
  /** Bumped on every change of usability: packets and detections from an older epoch are dropped. */
  epoch: number;
  /** Whether each end's engine currently believes the link is up (it got neighbourUp, not yet Down). */
  upA: boolean;
  upB: boolean;
}

interface SimNode {
  readonly index: number;
  readonly id: string;
  alive: boolean;
  incarnation: number;
  engine: RoutingEngine | undefined;
  /** Virtual time of the queued timer event, or undefined. */
  armed: number | undefined;
  timerGen: number;
  links: Link[];
  forger: Forger | undefined;
  timerBurstAt: number;
  timerBurst: number;
}

type SimEvent =
  | { readonly t: 'boot'; readonly node: number }
  | { readonly t: 'timer'; readonly node: number; readonly gen: number; readonly inc: number }
  | {
      readonly t: 'packet';
      readonly from: number;
      readonly to: number;
      readonly link: Link;
      readonly epoch: number;
      readonly inc: number;
      readonly tlvs: readonly Tlv[];
    }
  | {
      readonly t: 'neighbour';
      readonly node: number;
      readonly link: Link;
      readonly epoch: number;
      readonly up: boolean;
    }
  | { readonly t: 'fault'; readonly fault: Fault; readonly index: number }
  | { readonly t: 'forge'; readonly node: number }
  | { readonly t: 'sample' }
  | { readonly t: 'steady' };

class StopRun extends Error {}

const TIMER_EVENT: EngineEvent = { kind: 'timer' };
const MAX_TIMER_BURST = 10_000;

export class Simulator implements LiveGraph {
  readonly keyring: Keyring;
  readonly fwd: ForwardingState;
  readonly trace: Trace;
  private readonly opts: SimOptions;
  private readonly n: number;
  private readonly nodes: SimNode[];
  private readonly links: Link[] = [];
  private readonly linkByPair = new Map<number, Link>();
  private readonly queue = new EventQueue<SimEvent>();
  private readonly rng: Rng;
  private readonly netRng: Rng;
  private now = 0;

  // Counters, per node.
  private readonly packetsSent: Float64Array;
  private readonly tlvsSent: Float64Array;
  private readonly bytesSent: Float64Array;
  private updatesSent = 0;
  private routeChanges = 0;
  /** routeChanges when the current phase last became correct. */
  private routeChangesAtCorrect = 0;
  private steadyMark:
    | { t: number; packets: Float64Array; bytes: Float64Array; routeChanges: number }
    | undefined;
  private intervalPackets = 0;
  private intervalBytes = 0;
  private dropped = 0;
  private encodeErrors = 0;

  // Correctness state.
  private readonly reachCount: Int32Array;
  private readonly bad: Uint8Array;
  private badCount = 0;
  private comp: Int32Array;
  private compSize: Int32Array;
  private graphDirty = true;
  private expectedPairs = 0;
  private reachablePairs = 0;
  private readonly maxSeqno: Int32Array;
  private trackSeqnos = false;

  private readonly violations: Violation[] = [];
  private loops = 0;
  private forgedSelected = 0;
  private readonly phases: { atMs: number; fault: string; correctSince: number | undefined }[] = [];
  private readonly series: SeriesPoint[] = [];
  private seriesEvery = 1;
  private sampleNo = 0;
  private lastFaultAt = 0;
  private readonly retiredCounters: Record<string, number> = {};

  constructor(opts: SimOptions) {
    this.opts = opts;
    const topo = opts.topology;
    this.n = topo.nodes;
    this.rng = new Rng(opts.seed);
    this.netRng = this.rng.fork('net');
    const keyRng = this.rng.fork('keys');
    this.keyring = opts.realCrypto ? new RealKeyring(this.n, keyRng) : new SimKeyring(this.n, keyRng);
    this.fwd = new ForwardingState(this.n);
    this.trace = new Trace(opts.traceTail ?? 40);
    this.packetsSent = new Float64Array(this.n);
    this.tlvsSent = new Float64Array(this.n);
    this.bytesSent = new Float64Array(this.n);
    this.reachCount = new Int32Array(this.n);
    this.bad = new Uint8Array(this.n);
    this.comp = new Int32Array(this.n);
    this.compSize = new Int32Array(this.n);
    this.maxSeqno = new Int32Array(this.n).fill(-1);
    this.nodes = Array.from({ length: this.n }, (_, i) => ({
      index: i,
      id: String(i),
      alive: false,
      incarnation: 0,
      engine: undefined,
      armed: undefined,
      timerGen: 0,
      links: [],
      forger: undefined,
      timerBurstAt: -1,
      timerBurst: 0,
    }));
    const jitterFrac = 0.1;
    for (const e of topo.edges) {
      const link: Link = {
        a: e.a,
        b: e.b,
        latencyMs: e.latencyMs,
        jitterMs: opts.jitterMs ?? e.latencyMs * jitterFrac,
        loss: opts.loss ?? 0,
        adminUp: true,
        cut: false,
        epoch: 0,
        upA: false,
        upB: false,
      };
      this.links.push(link);
      this.linkByPair.set(this.pairKey(e.a, e.b), link);
      this.nodes[e.a]!.links.push(link);
      this.nodes[e.b]!.links.push(link);
    }
  }

  private pairKey(a: number, b: number): number {
    return a < b ? a * this.n + b : b * this.n + a;
  }

  // LiveGraph, for the forwarding checks.
  alive(node: number): boolean {
    return this.nodes[node]!.alive;
  }
  usable(a: number, b: number): boolean {
    const l = this.linkByPair.get(this.pairKey(a, b));
    return l !== undefined && this.linkUsable(l);
  }
  private linkUsable(l: Link): boolean {
    return l.adminUp && !l.cut && this.nodes[l.a]!.alive && this.nodes[l.b]!.alive;
  }

  /** Runs the whole simulation and returns its summary. */
  run(): SimResult {
    const o = this.opts;
    const duration = o.durationMs;
    const spread = o.bootSpreadMs ?? 1000;
    const bootRng = this.rng.fork('boot');
    for (let i = 0; i < this.n; i++)
      this.queue.push(spread > 0 ? Math.round(bootRng.float() * spread) : 0, { t: 'boot', node: i });
    const faults = o.faults ?? [];
    faults.forEach((fault, index) => {
      this.queue.push(fault.at, { t: 'fault', fault, index });
      if (fault.kind === 'malicious') this.trackSeqnos = true;
    });
    this.lastFaultAt = faults.length > 0 ? faults[faults.length - 1]!.at : 0;
    const sampleMs = o.sampleMs ?? 100;
    const samples = Math.floor(duration / sampleMs);
    this.seriesEvery = Math.max(1, Math.ceil(samples / 600));
    for (let k = 1; k <= samples; k++) this.queue.push(k * sampleMs, { t: 'sample' });
    const steadyAt = duration - Math.min(60_000, duration / 4);
    this.queue.push(steadyAt, { t: 'steady' });
    this.phases.push({ atMs: 0, fault: 'start', correctSince: undefined });

    let processed = 0;
    try {
      for (;;) {
        const ev = this.queue.peek();
        if (ev === undefined || ev.time > duration) break;
        this.queue.pop();
        this.now = ev.time;
        this.dispatch(ev.item);
        if ((++processed & 0x3fff) === 0) o.onProgress?.(this.now, duration);
      }
      this.now = duration;
      this.sample(true);
    } catch (err) {
      if (!(err instanceof StopRun)) throw err;
    }
    o.onProgress?.(this.now, duration);
    return this.finish(processed);
  }

  // ---------------------------------------------------------------------------------------------
  // Events

  private dispatch(ev: SimEvent): void {
    switch (ev.t) {
      case 'boot':
        this.bootNode(ev.node);
        break;
      case 'timer': {
        const node = this.nodes[ev.node]!;
        if (!node.alive || node.timerGen !== ev.gen || node.incarnation !== ev.inc) return;
        node.armed = undefined;
        if (node.timerBurstAt === this.now) {
          if (++node.timerBurst > MAX_TIMER_BURST) {
            this.fail(
              'engine-error',
              `node ${ev.node}: timer fired ${MAX_TIMER_BURST} times at t=${this.now} ms and nextTimeout() is still ${node.engine?.nextTimeout()} (it never moves past now)`,
            );
          }
        } else {
          node.timerBurstAt = this.now;
          node.timerBurst = 0;
        }
        this.trace.record(this.now, TraceKind.Timer, ev.node, -1, 0);
        this.drive(node, TIMER_EVENT);
        break;
      }
      case 'packet': {
        const node = this.nodes[ev.to]!;
        if (
          !node.alive ||
          node.incarnation !== ev.inc ||
          ev.link.epoch !== ev.epoch ||
          !this.linkUsable(ev.link)
        ) {
          this.dropped++;
          this.trace.record(this.now, TraceKind.Drop, ev.to, ev.from, ev.tlvs.length);
          return;
        }
        this.trace.record(this.now, TraceKind.Packet, ev.to, ev.from, ev.tlvs.length);
        if (node.forger !== undefined)
          for (const t of ev.tlvs) if (t.type === TlvType.Update) node.forger.observeUpdate(t);
        this.drive(node, { kind: 'packet', neighbour: this.nodes[ev.from]!.id, tlvs: ev.tlvs });
        break;
      }
      case 'neighbour':
        this.deliverNeighbour(ev.node, ev.link, ev.epoch, ev.up);
        break;
      case 'fault':
        this.applyFault(ev.fault);
        break;
      case 'forge':
        this.forgeRound(ev.node);
        break;
      case 'sample':
        this.sample(false);
        break;
      case 'steady':
        this.steadyMark = {
          t: this.now,
          packets: Float64Array.from(this.packetsSent),
          bytes: Float64Array.from(this.bytesSent),
          routeChanges: this.routeChanges,
        };
        break;
    }
  }

  /** Hands one event to a node's engine and drives it in the documented order. */
  private drive(node: SimNode, event: EngineEvent): void {
    const engine = node.engine!;
    try {
      engine.handle(event, this.now);
      for (let action = engine.poll(); action !== undefined; action = engine.poll())
        this.perform(node, action);
    } catch (err) {
      if (err instanceof StopRun) throw err;
      this.fail(
        'engine-error',
        `node ${node.index}: engine threw on ${event.kind}: ${(err as Error).stack ?? String(err)}`,
      );
    }
    const next = engine.nextTimeout();
    if (next !== node.armed) {
      node.armed = next;
      node.timerGen++;
      if (next !== undefined)
        this.queue.push(this.timerAt(next), {
          t: 'timer',
          node: node.index,
          gen: node.timerGen,
          inc: node.incarnation,
        });
    }
  }

  private perform(node: SimNode, action: EngineAction): void {
    switch (action.kind) {
      case 'send':
        this.send(node, Number(action.neighbour), action.tlvs);
        break;
      case 'installRoute': {
        const e = action.entry;
        const dest = this.keyring.nodeOfPrefix(e.prefix);
        const nh = Number(e.neighbour);
        this.trace.recordInstall(this.now, node.index, dest, nh, e.metric, e.seqno);
        this.checkForged(node.index, dest, e.originator, e.seqno);
        if (dest < 0 || dest === node.index) return;
        // An unchanged next hop changes no path, so it cannot close a loop.
        if (!this.fwd.install(node.index, dest, nh)) return;
        this.routeChanges++;
        const loop = this.fwd.findLoop(node.index, dest);
        if (loop !== undefined) {
          this.loops++;
          this.fail('loop', `forwarding loop towards node ${dest}: ${loop.join(' -> ')}`);
        }
        break;
      }
      case 'removeRoute': {
        const dest = this.keyring.nodeOfPrefix(action.prefix);
        this.trace.record(this.now, TraceKind.Remove, node.index, dest, 0);
        if (dest >= 0 && this.fwd.nextHop(node.index, dest) >= 0) {
          this.routeChanges++;
          this.fwd.remove(node.index, dest);
        }
        break;
      }
      case 'notify':
        break;
    }
  }

  /** When to fire a timer for deadline `next`: never in the past; rounded up on the integer clock. */
  private timerAt(next: number): number {
    return Math.max(this.opts.floatTime ? next : Math.ceil(next), this.now);
  }

  private send(node: SimNode, peer: number, tlvs: readonly Tlv[]): void {
    const i = node.index;
    const m = measureSend(tlvs, this.opts.bytes);
    this.encodeErrors += m.encodeErrors;
    this.packetsSent[i]! += m.packets;
    this.tlvsSent[i]! += tlvs.length;
    this.bytesSent[i]! += m.bytes;
    this.intervalPackets += m.packets;
    this.intervalBytes += m.bytes;
    for (const t of tlvs) {
      if (t.type !== TlvType.Update) continue;
      this.updatesSent++;
      if (this.trackSeqnos && t.metric !== 0xffff && this.keyring.nodeOfPrefix(t.prefix) === i) {
        const cur = this.maxSeqno[i]!;
        if (cur < 0 || seqnoNewer(t.seqno, cur)) this.maxSeqno[i] = t.seqno;
        node.forger?.observeOwnUpdate(t);
      }
    }
    const link =
      Number.isInteger(peer) && peer >= 0 && peer < this.n
        ? this.linkByPair.get(this.pairKey(i, peer))
        : undefined;
    if (link === undefined || !this.linkUsable(link) || (link.loss > 0 && this.netRng.chance(link.loss))) {
      this.dropped++;
      this.trace.record(this.now, TraceKind.Drop, i, peer, tlvs.length);
      return;
    }
    this.trace.record(this.now, TraceKind.Send, i, peer, tlvs.length);
    const delay = link.latencyMs + (link.jitterMs > 0 ? this.netRng.float() * link.jitterMs : 0);
    this.queue.push(this.opts.floatTime ? this.now + delay : Math.round(this.now + delay), {
      t: 'packet',
      from: i,
      to: peer,
      link,
      epoch: link.epoch,
      inc: this.nodes[peer]!.incarnation,
      tlvs,
    });
  }

  private checkForged(node: number, dest: number, originator: Uint8Array, seqno: number): void {
    let why: string | undefined;
    if (dest < 0) why = 'a prefix no node owns';
    else if (!bytesEqual(originator, this.keyring.publicKey(dest)))
      why = `prefix of node ${dest} under a key it does not own`;
    else if (this.trackSeqnos && (this.maxSeqno[dest]! < 0 || seqnoNewer(seqno, this.maxSeqno[dest]!))) {
      why = `seqno ${seqno} for node ${dest}, which never announced past ${this.maxSeqno[dest]}`;
    }
    if (why !== undefined) {
      this.forgedSelected++;
      this.fail('forged-route', `node ${node} installed a forged route: ${why}`);
    }
  }

  private fail(kind: ViolationKind, message: string): void {
    this.violations.push({ kind, atMs: this.now, message, trace: this.trace.tail() });
    if (!this.opts.keepGoing || kind === 'engine-error') throw new StopRun(message);
  }

  // ---------------------------------------------------------------------------------------------
  // Nodes and links

  private bootNode(index: number): void {
    const node = this.nodes[index]!;
    if (node.alive) return;
    const before = node.links.map((l) => this.linkUsable(l));
    node.alive = true;
    const engineRng = this.rng.fork(`engine:${index}:${node.incarnation}`);
    const keyring = this.keyring;
    const deps: EngineDeps = {
      publicKey: keyring.publicKey(index),
      subnet: keyring.subnet(index),
      sign: (message) => {
        const signature = keyring.sign(index, message);
        node.forger?.observeSign(message, signature);
        return signature;
      },
      verify: (k, m, s) => keyring.verify(k, m, s),
      addressOf: (k) => keyring.addressOf(k),
      random: () => engineRng.float(),
    };
    this.trace.record(this.now, TraceKind.Boot, index, node.incarnation, 0);
    try {
      node.engine = this.opts.engine(deps, this.now);
    } catch (err) {
      this.fail(
        'engine-error',
        `node ${index}: engine construction threw: ${(err as Error).stack ?? String(err)}`,
      );
    }
    node.armed = undefined;
    node.timerGen++;
    const next = node.engine!.nextTimeout();
    if (next !== undefined) {
      node.armed = next;
      this.queue.push(this.timerAt(next), {
        t: 'timer',
        node: index,
        gen: node.timerGen,
        inc: node.incarnation,
      });
    }
    for (const [k, l] of node.links.entries()) this.linkChanged(l, before[k]!);
    this.graphDirty = true;
  }

  private crashNode(index: number): void {
    const node = this.nodes[index]!;
    if (!node.alive) return;
    const before = node.links.map((l) => this.linkUsable(l));
    node.alive = false;
    const c = node.engine?.counters();
    if (c)
      for (const [k, v] of Object.entries(c)) this.retiredCounters[k] = (this.retiredCounters[k] ?? 0) + v;
    node.engine = undefined;
    node.incarnation++;
    node.armed = undefined;
    node.timerGen++;
    this.fwd.clearNode(index);
    for (const l of node.links) {
      if (l.a === index) l.upA = false;
      else l.upB = false;
    }
    for (const [k, l] of node.links.entries()) this.linkChanged(l, before[k]!);
    this.graphDirty = true;
  }

  /** After anything that may change a link's usability: tell the ends' engines about the change. */
  private linkChanged(l: Link, wasUsable: boolean): void {
    const now = this.linkUsable(l);
    if (now === wasUsable) return;
    l.epoch++;
    this.graphDirty = true;
    if (now) {
      this.queue.push(this.now, { t: 'neighbour', node: l.a, link: l, epoch: l.epoch, up: true });
      this.queue.push(this.now, { t: 'neighbour', node: l.b, link: l, epoch: l.epoch, up: true });
    } else {
      const at = this.now + (this.opts.detectMs ?? 0);
      if (this.nodes[l.a]!.alive)
        this.queue.push(at, { t: 'neighbour', node: l.a, link: l, epoch: l.epoch, up: false });
      if (this.nodes[l.b]!.alive)
        this.queue.push(at, { t: 'neighbour', node: l.b, link: l, epoch: l.epoch, up: false });
    }
  }

  private deliverNeighbour(index: number, l: Link, epoch: number, up: boolean): void {
    const node = this.nodes[index]!;
    if (!node.alive || l.epoch !== epoch) return;
    const isA = l.a === index;
    const believed = isA ? l.upA : l.upB;
    if (believed === up) return;
    if (isA) l.upA = up;
    else l.upB = up;
    const peer = isA ? l.b : l.a;
    if (up) {
      this.trace.record(this.now, TraceKind.NeighbourUp, index, peer, 0);
      this.drive(node, {
        kind: 'neighbourUp',
        neighbour: this.nodes[peer]!.id,
        publicKey: this.keyring.publicKey(peer),
      });
    } else {
      this.trace.record(this.now, TraceKind.NeighbourDown, index, peer, 0);
      this.drive(node, { kind: 'neighbourDown', neighbour: this.nodes[peer]!.id });
    }
  }

  private withLink(a: number, b: number, change: (l: Link) => void): void {
    const l = this.linkByPair.get(this.pairKey(a, b));
    if (l === undefined) return;
    const before = this.linkUsable(l);
    change(l);
    this.linkChanged(l, before);
  }

  private applyFault(f: Fault): void {
    this.trace.record(
      this.now,
      TraceKind.Fault,
      'node' in f ? f.node : 'a' in f ? f.a : -1,
      'b' in f ? f.b : -1,
      0,
      describeFault(f),
    );
    this.closePhase();
    this.phases.push({ atMs: this.now, fault: describeFault(f), correctSince: undefined });
    switch (f.kind) {
      case 'link-down':
        this.withLink(f.a, f.b, (l) => {
          l.adminUp = false;
        });
        break;
      case 'link-up':
        this.withLink(f.a, f.b, (l) => {
          l.adminUp = true;
        });
        break;
      case 'latency':
        this.withLink(f.a, f.b, (l) => {
          l.latencyMs = f.latencyMs;
          if (this.opts.jitterMs === undefined) l.jitterMs = f.latencyMs * 0.1;
        });
        break;
      case 'loss':
        this.withLink(f.a, f.b, (l) => {
          l.loss = f.loss;
        });
        break;
      case 'crash':
        this.crashNode(f.node);
        break;
      case 'restart':
        this.bootNode(f.node);
        break;
      case 'malicious': {
        const node = this.nodes[f.node]!;
        if (node.forger === undefined) {
          node.forger = new Forger(f.node, this.keyring, this.rng.fork(`forger:${f.node}`));
          this.queue.push(this.now, { t: 'forge', node: f.node });
        }
        break;
      }
      case 'partition': {
        const group = new Int32Array(this.n).fill(f.groups.length);
        f.groups.forEach((g, gi) => {
          for (const v of g) group[v] = gi;
        });
        for (const l of this.links) {
          const before = this.linkUsable(l);
          l.cut = group[l.a] !== group[l.b];
          this.linkChanged(l, before);
        }
        break;
      }
      case 'heal':
        for (const l of this.links) {
          const before = this.linkUsable(l);
          l.cut = false;
          this.linkChanged(l, before);
        }
        break;
    }
    this.graphDirty = true;
  }

  private forgeRound(index: number): void {
    const node = this.nodes[index]!;
    const forger = node.forger;
    if (forger === undefined) return;
    this.queue.push(this.now + (this.opts.forgeIntervalMs ?? 2000), { t: 'forge', node: index });
    if (!node.alive) return;
    const tlvs = forger.forge((v) => Math.max(0, this.maxSeqno[v]!));
    if (tlvs.length === 0) return;
    this.trace.record(this.now, TraceKind.Forge, index, -1, tlvs.length);
    for (const l of node.links) {
      const peer = l.a === index ? l.b : l.a;
      if ((l.a === index ? l.upA : l.upB) && this.linkUsable(l)) this.send(node, peer, tlvs);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Measurement

  /** Recomputes the live graph's components (the partitions routing should reflect). */
  private recomputeComponents(): void {
    const parent = new Int32Array(this.n);
    for (let i = 0; i < this.n; i++) parent[i] = i;
    const find = (x: number): number => {
      while (parent[x] !== x) {
        parent[x] = parent[parent[x]!]!;
        x = parent[x]!;
      }
      return x;
    };
    for (const l of this.links) {
      if (!this.linkUsable(l)) continue;
      const ra = find(l.a);
      const rb = find(l.b);
      if (ra !== rb) parent[ra] = rb;
    }
    this.compSize.fill(0);
    for (let i = 0; i < this.n; i++) {
      this.comp[i] = find(i);
      if (this.nodes[i]!.alive) this.compSize[this.comp[i]!]!++;
    }
    let pairs = 0;
    for (let i = 0; i < this.n; i++) if (this.nodes[i]!.alive) pairs += this.compSize[this.comp[i]!]! - 1;
    this.expectedPairs = pairs;
  }

  private refresh(): void {
    let dests: number[];
    if (this.graphDirty) {
      this.graphDirty = false;
      this.recomputeComponents();
      this.fwd.takeDirty();
      dests = Array.from({ length: this.n }, (_, i) => i);
    } else {
      dests = this.fwd.takeDirty();
    }
    for (const d of dests) {
      const oldReach = this.reachCount[d]!;
      let ok: boolean;
      if (this.nodes[d]!.alive) {
        const { reached } = this.fwd.reach(d, this);
        this.reachCount[d] = reached;
        const want = this.compSize[this.comp[d]!]! - 1;
        ok = reached === want && this.fwd.entriesTo[d] === want;
      } else {
        this.reachCount[d] = 0;
        ok = this.fwd.entriesTo[d] === 0;
      }
      this.reachablePairs += this.reachCount[d]! - oldReach;
      const wasBad = this.bad[d] === 1;
      if (wasBad && ok) this.badCount--;
      if (!wasBad && !ok) this.badCount++;
      this.bad[d] = ok ? 0 : 1;
    }
  }

  private sample(final: boolean): void {
    this.refresh();
    const correct = this.badCount === 0;
    const phase = this.phases[this.phases.length - 1]!;
    if (correct && phase.correctSince === undefined) {
      phase.correctSince = this.now;
      this.routeChangesAtCorrect = this.routeChanges;
    }
    if (!correct) phase.correctSince = undefined;
    if (final || this.sampleNo++ % this.seriesEvery === 0) {
      this.series.push({
        tMs: this.now,
        reachable: this.expectedPairs === 0 ? 1 : this.reachablePairs / this.expectedPairs,
        packets: this.intervalPackets,
        bytes: this.intervalBytes,
      });
      this.intervalPackets = 0;
      this.intervalBytes = 0;
    }
  }

  private closePhase(): void {
    this.sample(false);
  }

  private finish(processed: number): SimResult {
    const o = this.opts;
    const duration = o.durationMs;
    const stopped = this.violations.some((v) => !o.keepGoing || v.kind === 'engine-error');
    if (!stopped) this.refresh();
    const correct = !stopped && this.badCount === 0;
    const quietPeriodOk = duration - this.lastFaultAt >= (o.quietMs ?? 30_000);
    if (!stopped && quietPeriodOk && !correct) {
      const worst: string[] = [];
      for (let d = 0; d < this.n && worst.length < 5; d++) {
        if (this.bad[d]) {
          const want = this.nodes[d]!.alive ? this.compSize[this.comp[d]!]! - 1 : 0;
          worst.push(`node ${d}: reached by ${this.reachCount[d]}/${want}, entries ${this.fwd.entriesTo[d]}`);
        }
      }
      this.violations.push({
        kind: 'unconverged',
        atMs: this.now,
        message: `not converged ${duration - this.lastFaultAt} ms after the last fault (${this.badCount} destinations wrong; ${worst.join('; ')})`,
        trace: this.trace.tail(),
      });
    }
    let unreachable = 0;
    let stale = 0;
    for (let d = 0; d < this.n; d++) {
      if (this.nodes[d]!.alive) {
        const want = this.compSize[this.comp[d]!]! - 1;
        unreachable += want - this.reachCount[d]!;
        stale += Math.max(0, this.fwd.entriesTo[d]! - want);
      } else stale += this.fwd.entriesTo[d]!;
    }
    const phases: PhaseResult[] = this.phases.map((p) => ({
      atMs: p.atMs,
      fault: p.fault,
      recoveryMs: p.correctSince === undefined ? null : Math.max(0, p.correctSince - p.atMs),
    }));
    const secs = Math.max(1e-9, this.now / 1000);
    const perNode = (arr: Float64Array, s: number, base?: Float64Array): { mean: number; max: number } => {
      let sum = 0;
      let max = 0;
      for (let i = 0; i < this.n; i++) {
        const v = (arr[i]! - (base ? base[i]! : 0)) / s;
        sum += v;
        if (v > max) max = v;
      }
      return { mean: sum / this.n, max };
    };
    const steadySecs = this.steadyMark ? Math.max(1e-9, (this.now - this.steadyMark.t) / 1000) : secs;
    const routeSizes: number[] = [];
    const fwdSizes: number[] = [];
    const counters: Record<string, number> = { ...this.retiredCounters };
    for (const node of this.nodes) {
      if (!node.alive || node.engine === undefined) continue;
      // The gauge when the engine has it: routes() builds an object per route (3×10^8 at 10k nodes).
      routeSizes.push(node.engine.gauges?.()['table.routes'] ?? node.engine.routes().length);
      fwdSizes.push(this.fwd.tableSize(node.index));
      for (const [k, v] of Object.entries(node.engine.counters())) counters[k] = (counters[k] ?? 0) + v;
    }
    const rs = summarize(routeSizes);
    const fs = summarize(fwdSizes);
    const stretch = stopped ? [] : this.measureStretch();
    const st = summarize(stretch);
    const first = phases[0]!;
    return {
      nodes: this.n,
      edges: this.links.length,
      topology: o.topology.name,
      seed: o.seed,
      durationMs: this.now,
      converged: correct && this.violations.length === 0,
      convergenceMs: first.recoveryMs,
      loopsDetected: this.loops,
      forgedRoutesSelected: this.forgedSelected,
      unreachablePairs: unreachable,
      staleRoutes: stale,
      controlMsgsPerNodePerSec: perNode(this.packetsSent, secs),
      controlTlvsPerNodePerSec: perNode(this.tlvsSent, secs),
      controlBytesPerNodePerSec: perNode(this.bytesSent, secs),
      steadyMsgsPerNodePerSec: perNode(this.packetsSent, steadySecs, this.steadyMark?.packets),
      steadyBytesPerNodePerSec: perNode(this.bytesSent, steadySecs, this.steadyMark?.bytes),
      updatesPerNodePerSec: this.updatesSent / this.n / secs,
      routeChanges: this.routeChanges,
      steadyRouteChanges: this.routeChanges - (this.steadyMark?.routeChanges ?? 0),
      routeChangesAfterConvergence:
        this.phases[this.phases.length - 1]!.correctSince === undefined
          ? null
          : this.routeChanges - this.routeChangesAtCorrect,
      routeTable: { mean: rs.mean, max: rs.max },
      forwardingEntries: { mean: fs.mean, max: fs.max },
      maxStretch: st.max,
      meanStretch: st.mean,
      p95Stretch: st.p95,
      stretchSamples: stretch,
      faults: phases.slice(1),
      quietPeriodOk,
      forgedUpdatesSent: this.nodes.reduce((s, n) => s + (n.forger?.forgedSent ?? 0), 0),
      packetsDropped: this.dropped,
      encodeErrors: this.encodeErrors,
      eventsProcessed: processed,
      traceHash: this.trace.hash(),
      violations: this.violations,
      series: this.series,
      engineCounters: counters,
    };
  }

  /** Path stretch (latency along next hops / shortest latency) on sampled reachable pairs. */
  private measureStretch(): number[] {
    const rng = this.rng.fork('stretch');
    const budget = this.opts.stretchPairs ?? 2000;
    const live = this.nodes.filter((n) => n.alive).map((n) => n.index);
    if (live.length < 2) return [];
    const graph = {
      nodes: this.n,
      neighbours: (u: number): Array<readonly [number, number]> =>
        this.nodes[u]!.links.filter((l) => this.linkUsable(l)).map(
          (l) => [l.a === u ? l.b : l.a, l.latencyMs] as const,
        ),
    };
    const allPairs = live.length * (live.length - 1) <= budget;
    const sources = allPairs ? live : rng.shuffle([...live]).slice(0, Math.min(live.length, 50));
    const perSource = allPairs ? live.length : Math.ceil(budget / sources.length);
    const out: number[] = [];
    for (const s of sources) {
      const dist = dijkstra(graph, s);
      const dests = allPairs ? live : Array.from({ length: perSource }, () => live[rng.int(live.length)]!);
      for (const d of dests) {
        if (d === s || !Number.isFinite(dist[d]!) || dist[d]! <= 0) continue;
        const path = this.fwd.path(s, d, this);
        if (path === undefined) continue;
        let lat = 0;
        for (let k = 0; k + 1 < path.length; k++)
          lat += this.linkByPair.get(this.pairKey(path[k]!, path[k + 1]!))!.latencyMs;
        out.push(lat / dist[d]!);
      }
    }
    return out;
  }
}

/** Convenience: build and run. */
export function simulate(opts: SimOptions): SimResult {
  return new Simulator(opts).run();
}

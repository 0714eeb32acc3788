/**
 * A tiny stand-in routing engine for simulator tests only: a flooding distance-vector with Babel's
 * feasibility condition (so it is loop-free) and signed, originator-checked Updates. It is not the
 * real engine (src/routing/engine.ts) and is deliberately naive: hop-count metric, a full dump to
 * every neighbour every UPDATE_INTERVAL_MS, own seqno bumped on every dump so starved routes recover.
 *
 * `bugs` switch on deliberate defects so tests can prove the simulator notices:
 *  - 'no-feasibility': accept any finite route (loops become possible after failures);
 *  - 'no-verify': skip signature and ownership checks (forged routes get selected);
 *  - 'no-retract': never propagate route loss (stale routes stay).
 */
import type {
  EngineAction,
  EngineDeps,
  Millis,
  NeighbourId,
  NeighbourView,
  RouteView,
  RoutingEngine,
} from '../../src/routing/api.js';
import { AE, type Prefix, type Tlv, TlvType, type Update } from '../../src/wire/babel/types.js';

export type StandInBug = 'no-feasibility' | 'no-verify' | 'no-retract';

export interface StandInConfig {
  readonly updateIntervalMs?: number;
  readonly bugs?: readonly StandInBug[];
}

const INFINITY = 0xffff;
const HOP_COST = 1;

/** Immutable: an update replaces the object, so `Entry.selected` is a snapshot of what was installed. */
interface Route {
  readonly neighbour: NeighbourId;
  /** Metric through this neighbour: what it announced plus the hop cost. */
  readonly metric: number;
  /** The metric as the neighbour announced it (what feasibility compares, RFC 8966 §3.5.1). */
  readonly received: number;
  readonly seqno: number;
  readonly originator: Uint8Array;
  readonly signature: Uint8Array;
  readonly prefix: Prefix;
  readonly expiresAt: Millis;
}

interface Entry {
  readonly prefix: Prefix;
  readonly routes: Map<NeighbourId, Route>;
  selected: Route | undefined;
  /** Feasibility distance: the best (seqno, metric) this node has advertised for the prefix. */
  fd: { seqno: number; metric: number } | undefined;
}

function prefixKey(p: Prefix): string {
  return `${p.ae}/${p.plen}/${Buffer.from(p.addr).toString('hex')}`;
}

function newer(a: number, b: number): boolean {
  const d = (a - b) & 0xffff;
  return d !== 0 && d < 0x8000;
}

/** The bytes an Update signature covers: prefix address, plen, seqno, originator key. */
export function signedBytes(prefix: Prefix, seqno: number, originator: Uint8Array): Uint8Array {
  const out = new Uint8Array(prefix.addr.length + 3 + originator.length);
  out.set(prefix.addr, 0);
  out[prefix.addr.length] = prefix.plen;
  out[prefix.addr.length + 1] = seqno >> 8;
  out[prefix.addr.length + 2] = seqno & 0xff;
  out.set(originator, prefix.addr.length + 3);
  return out;
}

function samePrefix(a: Prefix, b: Prefix): boolean {
  if (a.ae !== b.ae || a.plen !== b.plen || a.addr.length !== b.addr.length) return false;
  for (let i = 0; i < a.addr.length; i++) if (a.addr[i] !== b.addr[i]) return false;
  return true;
}

export function createStandInEngine(
  deps: EngineDeps,
  config: StandInConfig = {},
  now: Millis = 0,
): RoutingEngine {
  const interval = config.updateIntervalMs ?? 4000;
  const bugs = new Set(config.bugs ?? []);
  const neighbours = new Map<NeighbourId, Uint8Array>();
  const table = new Map<string, Entry>();
  const actions: EngineAction[] = [];
  const counters: Record<string, number> = { updatesIn: 0, updatesOut: 0, rejects: 0, selections: 0 };
  const ownKey = prefixKey(deps.subnet);
  // Seqnos follow virtual time (two per interval), so a restarted node's first seqno is newer than
  // anything it announced before the crash: a stand-in for Babel's seqno requests.
  const clockSeqno = (t: Millis): number => Math.floor(t / (interval / 2)) & 0xffff;
  let seqno = clockSeqno(now);
  let ownSig = deps.sign(signedBytes(deps.subnet, seqno, deps.publicKey));
  let nextDump = now + interval * deps.random();
  const holdMs = interval * 3.5;

  const ownUpdate = (): Update => ({
    type: TlvType.Update,
    flags: 0,
    interval: interval / 10,
    seqno,
    metric: 0,
    prefix: deps.subnet,
    routerId: deps.publicKey.subarray(0, 8),
    originator: deps.publicKey,
    signature: ownSig,
  });

  const advertised = (e: Entry): Update => {
    const r = e.selected;
    if (r === undefined) {
      return {
        type: TlvType.Update,
        flags: 0,
        interval: interval / 10,
        seqno: e.fd?.seqno ?? 0,
        metric: INFINITY,
        prefix: e.prefix,
      };
    }
    if (
      e.fd === undefined ||
      newer(r.seqno, e.fd.seqno) ||
      (r.seqno === e.fd.seqno && r.metric < e.fd.metric)
    ) {
      e.fd = { seqno: r.seqno, metric: r.metric };
    }
    return {
      type: TlvType.Update,
      flags: 0,
      interval: interval / 10,
      seqno: r.seqno,
      metric: r.metric,
      prefix: e.prefix,
      routerId: r.originator.subarray(0, 8),
      originator: r.originator,
      signature: r.signature,
    };
  };

  const feasible = (e: Entry, r: Route): boolean => {
    if (bugs.has('no-feasibility')) return true;
    const fd = e.fd;
    return fd === undefined || newer(r.seqno, fd.seqno) || (r.seqno === fd.seqno && r.received < fd.metric);
  };

  const sendAll = (tlvs: Tlv[], except?: NeighbourId): void => {
    if (tlvs.length === 0) return;
    for (const n of neighbours.keys()) if (n !== except) actions.push({ kind: 'send', neighbour: n, tlvs });
    counters.updatesOut! += tlvs.length * neighbours.size;
  };

  const reselect = (e: Entry, t: Millis): void => {
    const usable = (r: Route | undefined): r is Route =>
      r !== undefined && r.metric < INFINITY && r.expiresAt > t && feasible(e, r);
    let best: Route | undefined;
    for (const r of e.routes.values())
      if (usable(r) && (best === undefined || r.metric < best.metric)) best = r;
    // Stick with the current neighbour unless its route is gone, unfeasible, or strictly worse.
    const cur = e.selected;
    const curNow = cur === undefined ? undefined : e.routes.get(cur.neighbour);
    if (best !== undefined && usable(curNow) && curNow.metric <= best.metric) best = curNow;
    e.selected = best;
    if (best !== undefined) {
      const moved = cur === undefined || cur.neighbour !== best.neighbour;
      if (moved || cur.metric !== best.metric || cur.seqno !== best.seqno) {
        actions.push({
          kind: 'installRoute',
          entry: {
            prefix: e.prefix,
            neighbour: best.neighbour,
            metric: best.metric,
            seqno: best.seqno,
            originator: best.originator,
          },
        });
      }
      if (moved) counters.selections!++;
      if (moved || cur.metric !== best.metric) sendAll([advertised(e)]);
    } else if (cur !== undefined) {
      actions.push({ kind: 'removeRoute', prefix: e.prefix });
      if (!bugs.has('no-retract')) sendAll([advertised(e)]);
    }
  };

  const dump = (): Tlv[] => {
    const out: Tlv[] = [ownUpdate()];
    for (const e of table.values()) if (e.selected !== undefined) out.push(advertised(e));
    return out;
  };

  const handleUpdate = (from: NeighbourId, u: Update, t: Millis): void => {
    counters.updatesIn!++;
    const key = prefixKey(u.prefix);
    if (key === ownKey) return;
    if (u.metric !== INFINITY && !bugs.has('no-verify')) {
      const ok =
        u.originator !== undefined &&
        u.signature !== undefined &&
        u.prefix.ae === AE.IPv6 &&
        u.prefix.plen === 64 &&
        deps.verify(u.originator, signedBytes(u.prefix, u.seqno, u.originator), u.signature) &&
        samePrefix({ ae: AE.IPv6, plen: 64, addr: maskTo64(deps.addressOf(u.originator)) }, u.prefix);
      if (!ok) {
        counters.rejects!++;
        return;
      }
    }
    let e = table.get(key);
    if (e === undefined) {
      if (u.metric === INFINITY) return;
      e = { prefix: u.prefix, routes: new Map(), selected: undefined, fd: undefined };
      table.set(key, e);
    }
    const held = e.routes.get(from);
    if (held !== undefined && newer(held.seqno, u.seqno)) {
      counters.rejects!++; // an older seqno than this neighbour already gave us: a replay
      return;
    }
    if (u.metric === INFINITY) {
      e.routes.delete(from);
    } else {
      e.routes.set(from, {
        neighbour: from,
        metric: Math.min(INFINITY - 1, u.metric + HOP_COST),
        received: u.metric,
        seqno: u.seqno,
        originator: u.originator ?? new Uint8Array(32),
        signature: u.signature ?? new Uint8Array(64),
        prefix: u.prefix,
        expiresAt: t + holdMs,
      });
    }
    reselect(e, t);
  };

  return {
    handle(event, t) {
      switch (event.kind) {
        case 'neighbourUp':
          neighbours.set(event.neighbour, event.publicKey);
          actions.push({ kind: 'send', neighbour: event.neighbour, tlvs: dump() });
          break;
        case 'neighbourDown':
          neighbours.delete(event.neighbour);
          for (const e of table.values()) if (e.routes.delete(event.neighbour)) reselect(e, t);
          break;
        case 'packet':
          if (!neighbours.has(event.neighbour)) break;
          for (const tlv of event.tlvs)
            if (tlv.type === TlvType.Update) handleUpdate(event.neighbour, tlv, t);
          break;
        case 'wantRoute':
          break;
        case 'timer':
          if (t >= nextDump) {
            seqno = newer(clockSeqno(t), seqno) ? clockSeqno(t) : (seqno + 1) & 0xffff;
            ownSig = deps.sign(signedBytes(deps.subnet, seqno, deps.publicKey));
            for (const e of table.values()) {
              for (const [n, r] of e.routes) if (r.expiresAt <= t) e.routes.delete(n);
              reselect(e, t);
            }
            sendAll(dump());
            nextDump = t + interval * (0.75 + 0.5 * deps.random());
          }
          break;
      }
    },
    poll() {
      return actions.shift();
    },
    nextTimeout() {
      return nextDump;
    },
    routes(): RouteView[] {
      const out: RouteView[] = [];
      for (const e of table.values()) {
        for (const r of e.routes.values()) {
          out.push({
            prefix: e.prefix,
            originator: r.originator,
            neighbour: r.neighbour,
            seqno: r.seqno,
            metric: r.metric,
            selected: e.selected?.neighbour === r.neighbour,
            feasible: feasible(e, r),
            expiresAt: r.expiresAt,
          });
        }
      }
      return out;
    },
    neighbours(): NeighbourView[] {
      return [...neighbours].map(([id, publicKey]) => ({ id, publicKey, rttMs: undefined, cost: HOP_COST }));
    },
    counters() {
      return { ...counters };
    },
  };
}

function maskTo64(addr: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  out.set(addr.subarray(0, 8));
  return out;
}

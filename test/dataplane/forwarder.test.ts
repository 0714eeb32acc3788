import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { E2e, E2eAlgorithmId } from '../../src/crypto/e2e/index.js';
import { Forwarder } from '../../src/dataplane/forwarder.js';
import { ForwardingTable } from '../../src/dataplane/forwarding-table.js';
import { PendingQueue } from '../../src/dataplane/pending-queue.js';
import { identityFromSeed, type NodeIdentity, type PublicIdentity } from '../../src/identity/keys.js';
import type { NeighbourId } from '../../src/routing/api.js';
import { AE } from '../../src/wire/babel/types.js';

function rng(label: string): (n: number) => Uint8Array {
  let i = 0;
  return (n) => {
    const out = new Uint8Array(n);
    for (let o = 0; o < n; o += 32) {
      out.set(
        createHash('sha256')
          .update(`${label}/${i++}`)
          .digest()
          .subarray(0, Math.min(32, n - o)),
        o,
      );
    }
    return out;
  };
}

function ipv6(src: Uint8Array, dst: Uint8Array, hopLimit = 64, n = 16, nextHeader = 17): Uint8Array {
  const p = new Uint8Array(40 + n);
  p[0] = 0x60;
  p[4] = n >> 8;
  p[5] = n & 0xff;
  p[6] = nextHeader;
  p[7] = hopLimit;
  p.set(src, 8);
  p.set(dst, 24);
  for (let i = 0; i < n; i++) p[40 + i] = i & 0xff;
  return p;
}

interface Node {
  id: NodeIdentity;
  fwd: Forwarder;
  table: ForwardingTable;
  tun: Uint8Array[];
  wanted: Uint8Array[];
}

/** A line a — b — c of forwarders joined by in-memory links; `neighbour` ids are node names. */
function line(opts: { tunMtu?: number; pending?: PendingQueue } = {}) {
  const names = ['a', 'b', 'c'] as const;
  const ids = Object.fromEntries(
    names.map((n, i) => [n, identityFromSeed(new Uint8Array(32).fill(i + 1))]),
  ) as Record<(typeof names)[number], NodeIdentity>;
  const nodes = {} as Record<string, Node>;
  const queue: { to: string; from: string; frame: Uint8Array }[] = [];
  const links: Record<string, string[]> = { a: ['b'], b: ['a', 'c'], c: ['b'] };
  for (const name of names) {
    const table = new ForwardingTable();
    const tun: Uint8Array[] = [];
    const wanted: Uint8Array[] = [];
    const fwd = new Forwarder({
      identity: ids[name],
      e2e: new E2e({ identity: ids[name], algorithm: E2eAlgorithmId.Aes256Gcm, randomBytes: rng(name) }),
      table,
      tunMtu: name === 'c' ? (opts.tunMtu ?? 1352) : 1352,
      ...(opts.pending && name === 'a' ? { pending: opts.pending } : {}),
      output: {
        sendData: (neighbour: NeighbourId, frame: Uint8Array) => {
          if (!links[name]!.includes(neighbour)) return false;
          queue.push({ to: neighbour, from: name, frame: frame.slice() });
          return true;
        },
        deliver: (p) => tun.push(p),
        wantRoute: (a) => wanted.push(a),
      },
    });
    nodes[name] = { id: ids[name], fwd, table, tun, wanted };
  }
  const route = (at: string, to: PublicIdentity, via: string) =>
    nodes[at]!.table.install({
      prefix: { ae: AE.IPv6, addr: to.subnet, plen: 64 },
      neighbour: via,
      metric: 1,
      seqno: 0,
      originator: to.publicKey,
    });
  const run = (now = 0) => {
    for (let i = 0; i < 100 && queue.length > 0; i++) {
      const m = queue.shift()!;
      nodes[m.to]!.fwd.fromLink(m.from, m.frame, now);
    }
  };
  const fullRoutes = () => {
    route('a', ids.b, 'b');
    route('a', ids.c, 'b');
    route('b', ids.a, 'a');
    route('b', ids.c, 'c');
    route('c', ids.b, 'b');
    route('c', ids.a, 'b');
  };
  return { ids, nodes, queue, route, run, fullRoutes };
}

describe('Forwarder', () => {
  it('carries a packet a → c through relay b, which never decrypts it', () => {
    const { ids, nodes, run, fullRoutes } = line();
    fullRoutes();
    const pkt = ipv6(ids.a.address, ids.c.address);
    nodes.a!.fwd.fromTun(pkt, 0);
    run();
    // Two overlay routers (a, b) took 2 off the hop limit; the rest arrives as sent.
    const expected = pkt.slice();
    expected[7] = 62;
    expect(nodes.c!.tun.map((p) => Uint8Array.from(p))).toEqual([expected]);
    expect(nodes.b!.fwd.counters().relayed).toBeGreaterThanOrEqual(1);
    expect(nodes.b!.fwd.counters().delivered).toBeUndefined();
    // c's KeyAck went back to a through b: later frames drop the ephemeral and still arrive.
    expect(nodes.a!.fwd.counters()['control.received']).toBe(1);
    nodes.a!.fwd.fromTun(pkt, 1);
    run(1);
    expect(nodes.c!.tun.length).toBe(2);
  });

  it('decrements the hop limit at each relay and drops at zero', () => {
    const { ids, nodes, run, fullRoutes } = line();
    fullRoutes();
    nodes.a!.fwd.fromTun(ipv6(ids.a.address, ids.c.address, 2), 0);
    run();
    expect(nodes.c!.tun).toEqual([]);
    expect(nodes.b!.fwd.counters()['drop.hop-limit']).toBe(1);
  });

  it('lets traceroute see the relay: the relay reports, the source answers with Time Exceeded from it', () => {
    const { ids, nodes, run, fullRoutes } = line();
    fullRoutes();
    const probe = ipv6(ids.a.address, ids.c.address, 2);
    nodes.a!.fwd.fromTun(probe, 0);
    run();
    const err = nodes.a!.tun.find((p) => p[40] === 3);
    expect(err).toBeDefined();
    expect(Uint8Array.from(err!.subarray(8, 24))).toEqual(Uint8Array.from(ids.b.address));
    expect(Uint8Array.from(err!.subarray(48, 48 + probe.length))).toEqual(probe);
    // A second report for the same frame (a replay by anyone) finds nothing to answer.
    expect(nodes.b!.fwd.counters()['trace.report-sent']).toBe(1);
  });

  it('answers a hop limit of 1 from the TUN with Time Exceeded from this node', () => {
    const { ids, nodes, fullRoutes } = line();
    fullRoutes();
    nodes.a!.fwd.fromTun(ipv6(ids.a.address, ids.c.address, 1), 0);
    const [err] = nodes.a!.tun;
    expect(err?.[40]).toBe(3); // ICMPv6 Time Exceeded
    expect(Uint8Array.from(err!.subarray(8, 24))).toEqual(Uint8Array.from(ids.a.address));
  });

  it('queues packets without a route, asks routing once, and sends them when the route appears', () => {
    const { ids, nodes, route, run } = line();
    route('b', ids.c, 'c');
    route('c', ids.a, 'b');
    route('b', ids.a, 'a');
    const pkt = ipv6(ids.a.address, ids.c.address);
    nodes.a!.fwd.fromTun(pkt, 0);
    nodes.a!.fwd.fromTun(pkt, 1);
    expect(nodes.a!.wanted.length).toBe(1);
    route('a', ids.c, 'b');
    nodes.a!.fwd.routeInstalled(nodes.a!.table.lookup(ids.c.address)!, 2);
    run(2);
    expect(nodes.c!.tun.length).toBe(2);
  });

  it('copies waiting packets out of the TUN read slab, which the next read overwrites', () => {
    const { ids, nodes, route, run } = line();
    route('b', ids.c, 'c');
    route('c', ids.a, 'b');
    route('b', ids.a, 'a');
    const slab = Buffer.alloc(200);
    const sent: Uint8Array[] = [];
    for (const tag of [1, 2]) {
      const pkt = ipv6(ids.a.address, ids.c.address, 64, 16);
      pkt[40] = tag;
      slab.set(pkt);
      sent.push(pkt);
      nodes.a!.fwd.fromTun(slab.subarray(0, pkt.length), 0);
    }
    slab.fill(0xee);
    route('a', ids.c, 'b');
    nodes.a!.fwd.routeInstalled(nodes.a!.table.lookup(ids.c.address)!, 1);
    run(1);
    for (const p of sent) p[7] = 62;
    expect(nodes.c!.tun.map((p) => Uint8Array.from(p))).toEqual(sent);
  });

  it('answers packets that waited too long with No Route', () => {
    const pending = new PendingQueue({ perDestination: 4, total: 16, maxWaitMs: 100 });
    const { ids, nodes } = line({ pending });
    nodes.a!.fwd.fromTun(ipv6(ids.a.address, ids.c.address), 0);
    nodes.a!.fwd.tick(500);
    const [err] = nodes.a!.tun;
    expect(err?.[40]).toBe(1); // Destination Unreachable
    expect(err?.[41]).toBe(0); // no route
    expect(nodes.a!.fwd.counters()['drop.no-route']).toBe(1);
  });

  it('answers an address in its own /64 with Address Unreachable', () => {
    const { ids, nodes } = line();
    const dst = ids.a.subnet.slice();
    dst[15] = 9;
    nodes.a!.fwd.fromTun(ipv6(ids.a.address, dst), 0);
    expect(nodes.a!.tun[0]?.[40]).toBe(1);
    expect(nodes.a!.tun[0]?.[41]).toBe(3);
  });

  it('sends Packet Too Big back when the destination TUN cannot take the packet', () => {
    const { ids, nodes, run, fullRoutes } = line({ tunMtu: 1280 });
    fullRoutes();
    nodes.a!.fwd.fromTun(ipv6(ids.a.address, ids.c.address, 64, 1300), 0);
    run();
    expect(nodes.c!.tun).toEqual([]);
    const ptb = nodes.a!.tun.find((p) => p[40] === 2);
    expect(ptb).toBeDefined();
    expect(new DataView(ptb!.buffer, ptb!.byteOffset).getUint32(44)).toBe(1280);
    expect(Uint8Array.from(ptb!.subarray(8, 24))).toEqual(Uint8Array.from(ids.c.address));
  });

  it('drops a packet whose inner source is not this node (spoofing from the TUN)', () => {
    const { ids, nodes, run, fullRoutes } = line();
    fullRoutes();
    nodes.a!.fwd.fromTun(ipv6(ids.b.address, ids.c.address), 0);
    run();
    expect(nodes.c!.tun).toEqual([]);
  });

  it('never throws on random frames from a link, and counts them', () => {
    const { nodes, fullRoutes } = line();
    fullRoutes();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        nodes.b!.fwd.fromLink('a', bytes, 0);
        nodes.b!.fwd.fromTun(bytes, 0);
      }),
      { numRuns: 500 },
    );
    expect(nodes.b!.fwd.counters()['drop.malformed']).toBeGreaterThan(0);
  });
});

/**
 * The admin API's view of a running node (src/api/backend.ts): snapshots of the link sessions,
 * the routing tables, the packets waiting for routes, and every counter, read without locks.
 */
import {
  type AdminBackend,
  BackendError,
  type NodeStats,
  type PeerInfo,
  type RouteInfo,
} from '../api/backend.js';
import { parsePeerUri } from '../config/index.js';
import { formatIPv6, isOverlayAddress, parseIPv6 } from '../identity/address.js';
import { publicIdentityFromEd25519 } from '../identity/keys.js';
import type { Endpoint, LinkView } from '../link/api.js';
import type { NeighbourView, RouteView } from '../routing/api.js';
import { toHex } from '../util/bytes.js';
import { VERSION } from '../version.js';
import { formatEndpoint } from './link-driver.js';
import type { RunningNode } from './node.js';
import { formatPrefix } from './routing-driver.js';

function addressOfKey(publicKey: Uint8Array): string | undefined {
  try {
    return formatIPv6(publicIdentityFromEd25519(publicKey).address);
  } catch {
    return undefined;
  }
}

function prefixed(
  prefix: string,
  counters: Readonly<Record<string, number>>,
  into: Record<string, number>,
): void {
  for (const [k, v] of Object.entries(counters)) into[`${prefix}.${k}`] = v;
}

export function createBackend(node: RunningNode, now: () => number): AdminBackend {
  // One snapshot of each table per request, looked up by neighbour id, not one per row.
  const neighboursById = () => new Map(node.routing.engine.neighbours().map((n) => [n.id, n]));
  const endpointsById = () => new Map(node.links.links.links().map((l) => [l.neighbour, l.endpoint]));
  const peerInfo = (v: LinkView, neighbours: ReadonlyMap<string, NeighbourView>): PeerInfo => {
    const key = v.publicKey === undefined ? undefined : toHex(v.publicKey);
    const n = v.neighbour === undefined ? undefined : neighbours.get(v.neighbour);
    const address = v.publicKey === undefined ? undefined : addressOfKey(v.publicKey);
    return {
      endpoint: formatEndpoint(v.endpoint),
      origin: v.origin,
      state: v.state,
      ...(key === undefined ? {} : { publicKey: key }),
      ...(address === undefined ? {} : { address }),
      ...(n?.rttMs === undefined ? {} : { rttMs: n.rttMs }),
      ...(n === undefined ? {} : { cost: n.cost }),
      rxBytes: v.rxBytes,
      txBytes: v.txBytes,
      rxPackets: v.rxPackets,
      txPackets: v.txPackets,
      ...(v.lastHandshakeAt === undefined
        ? {}
        : { lastHandshakeSecondsAgo: Math.max(0, (now() - v.lastHandshakeAt) / 1000) }),
    };
  };
  const routeInfo = (r: RouteView, endpoints: ReadonlyMap<string | undefined, Endpoint>): RouteInfo => {
    const endpoint = endpoints.get(r.neighbour);
    return {
      prefix: formatPrefix(r.prefix),
      originator: toHex(r.originator),
      nextHop: {
        publicKey: r.neighbour,
        ...(endpoint === undefined ? {} : { endpoint: formatEndpoint(endpoint) }),
      },
      metric: r.metric,
      seqno: r.seqno,
      feasible: r.feasible,
      expiresInSeconds: Math.max(0, (r.expiresAt - now()) / 1000),
    };
  };
  const routeInfos = (selected: boolean): RouteInfo[] => {
    const endpoints = endpointsById();
    return node.routing.engine
      .routes()
      .filter((r) => r.selected === selected)
      .map((r) => routeInfo(r, endpoints));
  };
  const parseUri = (uri: string) => {
    try {
      return parsePeerUri(uri);
    } catch (err) {
      throw new BackendError('invalid', `${(err as Error).message}`);
    }
  };

  return {
    info: () => ({
      publicKey: toHex(node.identity.publicKey),
      address: formatIPv6(node.identity.address),
      subnet: `${formatIPv6(node.identity.subnet)}/64`,
      uptimeSeconds: Math.floor((now() - node.startedAt) / 1000),
      version: VERSION,
    }),
    peers: () => {
      const neighbours = neighboursById();
      return node.links.links.links().map((v) => peerInfo(v, neighbours));
    },
    addPeer(uri) {
      const peer = parseUri(uri);
      if (node.staticPeers().some((p) => p.uri === peer.uri))
        throw new BackendError('conflict', `${peer.uri} is already a peer`);
      node.addStaticPeer(peer);
      const view = node.links.links
        .links()
        .find((l) => l.endpoint.address === peer.host && l.endpoint.port === peer.port);
      return view === undefined
        ? {
            endpoint: peer.uri,
            origin: 'static',
            state: 'connecting',
            rxBytes: 0,
            txBytes: 0,
            rxPackets: 0,
            txPackets: 0,
          }
        : peerInfo(view, neighboursById());
    },
    removePeer(uri) {
      const peer = parseUri(uri);
      if (!node.removeStaticPeer({ address: peer.host, port: peer.port }))
        throw new BackendError('not-found', `${peer.uri} is not a peer of this node (see GET /api/v1/peers)`);
    },
    selectedRoutes: () => routeInfos(true),
    fallbackRoutes: () => routeInfos(false),
    queriedRoutes: () =>
      node.forwarder.pending.waiting().map((w) => {
        const addr = new Uint8Array(16);
        addr.set(Buffer.from(w.destination, 'latin1')); // the queue's key: the /64's first 8 bytes
        return {
          prefix: `${formatIPv6(addr)}/64`,
          waitingPackets: w.packets,
          sinceSeconds: Math.max(0, (now() - w.since) / 1000),
        };
      }),
    stats(): NodeStats {
      const counters: Record<string, number> = {};
      prefixed('dataplane', node.forwarder.counters(), counters);
      prefixed('link', node.links.links.counters(), counters);
      prefixed('link.driver', node.links.counters(), counters);
      prefixed('routing', node.routing.engine.counters(), counters);
      prefixed('routing.driver', node.routing.counters(), counters);
      const drops = node.e2e.drops;
      prefixed('e2e.send.drop', drops.send, counters);
      prefixed('e2e.receive.drop', drops.receive, counters);
      counters['e2e.control.dropped'] = node.e2e.controlDropped;
      counters['dataplane.pending.dropped'] = node.forwarder.pending.dropped;
      prefixed('tun', { ...node.tun.stats }, counters);
      prefixed('tun.gro', node.tunWriter.counters(), counters);
      prefixed('tun.offload', node.tunReader.counters(), counters);
      prefixed('udp', node.udp.counters(), counters);
      const gauges: Record<string, number> = {
        'dataplane.pending.packets': node.forwarder.pending.size,
        'dataplane.forwarding.entries': node.table.size,
      };
      prefixed('routing', node.routing.engine.gauges?.() ?? {}, gauges);
      return { counters, gauges };
    },
    publicKeyFor(address) {
      const addr = parseIPv6(address);
      if (addr === undefined) throw new BackendError('invalid', `${address} is not an IPv6 address`);
      if (!isOverlayAddress(addr))
        throw new BackendError('invalid', `${address} is not an overlay address (400::/7)`);
      if (Buffer.from(addr.subarray(0, 8)).equals(Buffer.from(node.identity.subnet.subarray(0, 8))))
        return toHex(node.identity.publicKey);
      const entry = node.table.lookup(addr);
      return entry === undefined ? undefined : toHex(entry.originator);
    },
  };
}

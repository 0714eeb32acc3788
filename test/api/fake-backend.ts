import {
  type AdminBackend,
  BackendError,
  type NodeInfo,
  type NodeStats,
  type PeerInfo,
  type QueriedRoute,
  type RouteInfo,
} from '../../src/api/backend.js';

/** A stand-in for the daemon: fixed tables that tests can change, and a log of calls that change state. */
export class FakeBackend implements AdminBackend {
  node: NodeInfo = {
    publicKey: 'a1'.repeat(32),
    address: '4a1:2b3c:4d5e:6f70:1:2:3:4',
    subnet: '4a1:2b3c:4d5e:6f70::/64',
    uptimeSeconds: 3723.5,
    version: '0.1.0',
  };
  peerList: PeerInfo[] = [
    {
      endpoint: 'udp://198.18.0.2:9651',
      origin: 'static',
      state: 'up',
      publicKey: 'b2'.repeat(32),
      address: '5b2:1111:2222:3333::1',
      rttMs: 12.4,
      cost: 96,
      rxBytes: 1_536_000,
      txBytes: 20_480,
      rxPackets: 1200,
      txPackets: 80,
      lastHandshakeSecondsAgo: 42,
    },
    {
      endpoint: 'udp://[fd00:198:18::3]:9651',
      origin: 'discovered',
      state: 'connecting',
      rxBytes: 0,
      txBytes: 148,
      rxPackets: 0,
      txPackets: 1,
    },
  ];
  selected: RouteInfo[] = [
    {
      prefix: '5b2:1111:2222:3333::/64',
      originator: 'b2'.repeat(32),
      nextHop: { publicKey: 'b2'.repeat(32), endpoint: 'udp://198.18.0.2:9651' },
      metric: 96,
      seqno: 7,
      feasible: true,
      expiresInSeconds: 61,
    },
  ];
  fallback: RouteInfo[] = [];
  queried: QueriedRoute[] = [{ prefix: '6c3:4444:5555:6666::/64', waitingPackets: 3, sinceSeconds: 1.5 }];
  statistics: NodeStats = {
    counters: {
      'dataplane.sent': 80,
      'dataplane.delivered': 1200,
      'dataplane.drop.no-route': 5,
      'dataplane.drop.hop-limit': 1,
      'routing.in.update': 30,
      'routing.out.hello': 12,
      'routing.reject.bad-signature': 2,
      'link.handshake.completed': 3,
    },
    gauges: { 'dataplane.pending.packets': 3, 'routing.sources': 4 },
  };
  owners = new Map<string, string>([['5b2:1111:2222:3333::1', 'b2'.repeat(32)]]);
  /** Set to make every read throw, to test the 500 path. */
  fail: Error | undefined;
  readonly calls: string[] = [];

  #check(): void {
    if (this.fail !== undefined) throw this.fail;
  }
  info(): NodeInfo {
    this.#check();
    return this.node;
  }
  peers(): PeerInfo[] {
    this.#check();
    return this.peerList;
  }
  addPeer(uri: string): PeerInfo {
    this.calls.push(`add ${uri}`);
    if (this.peerList.some((p) => p.endpoint === uri))
      throw new BackendError('conflict', `${uri} is already a peer`);
    const peer: PeerInfo = {
      endpoint: uri,
      origin: 'static',
      state: 'connecting',
      rxBytes: 0,
      txBytes: 0,
      rxPackets: 0,
      txPackets: 0,
    };
    this.peerList.push(peer);
    return peer;
  }
  removePeer(uri: string): void {
    this.calls.push(`remove ${uri}`);
    const i = this.peerList.findIndex((p) => p.endpoint === uri);
    if (i < 0) throw new BackendError('not-found', `${uri} is not a peer (GET /api/v1/peers lists them)`);
    this.peerList.splice(i, 1);
  }
  selectedRoutes(): RouteInfo[] {
    this.#check();
    return this.selected;
  }
  fallbackRoutes(): RouteInfo[] {
    this.#check();
    return this.fallback;
  }
  queriedRoutes(): QueriedRoute[] {
    this.#check();
    return this.queried;
  }
  stats(): NodeStats {
    this.#check();
    return this.statistics;
  }
  publicKeyFor(address: string): string | undefined {
    this.#check();
    return this.owners.get(address);
  }
}

/**
 * What the admin API and the metrics exporter read from a running node. The daemon implements it
 * (src/daemon/); tests use a stand-in. Every method is synchronous and cheap (a snapshot of
 * in-memory state): a request never waits on another request or on the data plane.
 *
 * Keys are lowercase hex (64 chars), addresses and prefixes are RFC 5952 text, times are seconds.
 */

export interface NodeInfo {
  readonly publicKey: string;
  readonly address: string;
  /** The node's /64, e.g. '5a1:2b3c:4d5e:6f70::/64'. */
  readonly subnet: string;
  readonly uptimeSeconds: number;
  readonly version: string;
}

export interface PeerInfo {
  /** The underlay endpoint, 'udp://198.18.1.2:9651' or 'udp://[fd00:198:18:1::2]:9651'. */
  readonly endpoint: string;
  readonly origin: 'static' | 'discovered' | 'inbound';
  readonly state: 'connecting' | 'up' | 'backoff';
  /** Known once a handshake authenticated the peer. */
  readonly publicKey?: string;
  readonly address?: string;
  readonly rttMs?: number;
  /** Routing link cost; 65535 when unreachable. */
  readonly cost?: number;
  readonly rxBytes: number;
  readonly txBytes: number;
  readonly rxPackets: number;
  readonly txPackets: number;
  /** Seconds since the last completed handshake. */
  readonly lastHandshakeSecondsAgo?: number;
}

export interface RouteInfo {
  readonly prefix: string;
  /** The node that owns the prefix (the end-to-end peer). */
  readonly originator: string;
  readonly nextHop: { readonly publicKey: string; readonly endpoint?: string };
  readonly metric: number;
  readonly seqno: number;
  readonly feasible: boolean;
  readonly expiresInSeconds: number;
}

/** A destination the data plane asked routing for, with no route yet. */
export interface QueriedRoute {
  readonly prefix: string;
  readonly waitingPackets: number;
  readonly sinceSeconds: number;
}

export interface NodeStats {
  /**
   * Monotonic counters by dotted name, e.g. 'dataplane.forwarded', 'dataplane.drop.no-route',
   * 'link.handshake.completed', 'routing.in.update', 'e2e.receive.replay'.
   */
  readonly counters: Readonly<Record<string, number>>;
  /** Values that go up and down: queue depths, table sizes. */
  readonly gauges: Readonly<Record<string, number>>;
}

/** Why a request to the backend failed, in terms the API maps to HTTP status codes. */
export class BackendError extends Error {
  constructor(
    readonly kind: 'invalid' | 'not-found' | 'conflict',
    message: string,
  ) {
    super(message);
    this.name = 'BackendError';
  }
}

export interface AdminBackend {
  info(): NodeInfo;
  peers(): PeerInfo[];
  /** Adds a static peer from a URI ('udp://host:port', as in the config's `peers`). Throws BackendError. */
  addPeer(uri: string): PeerInfo;
  /** Removes a peer by its endpoint URI. Throws BackendError('not-found'). */
  removePeer(uri: string): void;
  selectedRoutes(): RouteInfo[];
  fallbackRoutes(): RouteInfo[];
  queriedRoutes(): QueriedRoute[];
  stats(): NodeStats;
  /** The public key that owns an overlay address, if routing knows it. */
  publicKeyFor(address: string): string | undefined;
}

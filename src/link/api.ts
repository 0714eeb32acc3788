/**
 * The link layer's API: a sans-IO state machine (quinn's shape) that owns every link session of a
 * node: handshakes (src/crypto/handshake.ts), keypairs, rekeying, keepalives, liveness, retry
 * backoff, roaming and cookies under load. The daemon's UDP shell (src/link/udp.ts) and the tests
 * are its drivers.
 *
 * Driver order:
 *   1. call `handleDatagram` for each received datagram that is not a Data frame, `handleTimer` when
 *      the timer fires, and the peer-set and send methods as the node needs;
 *   2. drain `poll()` and carry out every action;
 *   3. re-arm the one timer to `nextTimeout()`.
 * Data frames (type 5) skip the queue: the shell reads their receiver index and asks
 * `neighbourForIndex`, one Map probe, and hands the frame to the forwarder.
 *
 * Nothing here reads a clock, a socket or the global RNG: `now` is monotonic ms from the driver and
 * randomness comes from `LinkDeps.randomBytes` / `LinkDeps.random`.
 */
import type { LinkIdentity } from '../crypto/handshake.js';
import type { NetworkKeys } from '../crypto/network-key.js';
import type { NeighbourId } from '../routing/api.js';

export type Millis = number;

/** A UDP endpoint. `address` is textual: '198.18.1.2', 'fd00:198:18:1::2' or 'fe80::1%eth0'. */
export interface Endpoint {
  readonly address: string;
  readonly port: number;
}

/** Where a peer came from: the config or API (kept and retried for ever), a LAN beacon, or inbound. */
export type PeerOrigin = 'static' | 'discovered' | 'inbound';

/** A peer the node should keep a link to. */
export interface PeerTarget {
  readonly endpoint: Endpoint;
  readonly origin: Exclude<PeerOrigin, 'inbound'>;
  /**
   * The Ed25519 key the peer must prove (from a beacon, or a `?key=` in a static URI). A handshake
   * that authenticates another key is refused and counted (`wrong-peer-key`).
   */
  readonly expectedKey?: Uint8Array;
}

export type LinkAction =
  /** Send these bytes to this endpoint. */
  | { readonly kind: 'send'; readonly to: Endpoint; readonly datagram: Uint8Array }
  /**
   * A link session to an authenticated peer is up. `neighbour` is the id handed to routing: the hex
   * of the peer's Ed25519 key, so one peer is one neighbour whatever endpoints it has.
   */
  | {
      readonly kind: 'up';
      readonly neighbour: NeighbourId;
      readonly publicKey: Uint8Array;
      readonly endpoint: Endpoint;
    }
  /** The neighbour's link is gone (silent too long, peer removed, or shut down). */
  | { readonly kind: 'down'; readonly neighbour: NeighbourId; readonly reason: string }
  /** A decrypted control body (one Babel packet) from a neighbour. */
  | { readonly kind: 'control'; readonly neighbour: NeighbourId; readonly body: Uint8Array }
  /** Something an operator may care about (handshake failure, roaming, backoff); for logs. */
  | { readonly kind: 'notify'; readonly event: string; readonly detail: Readonly<Record<string, unknown>> };

export interface LinkDeps {
  readonly identity: LinkIdentity;
  readonly keys: NetworkKeys;
  /** A CSPRNG in the daemon; seeded in tests. */
  readonly randomBytes: (n: number) => Uint8Array;
  /** Uniform in [0, 1), for backoff jitter. */
  readonly random: () => number;
}

/** A link session as shown to operators (admin API, CLI). */
export interface LinkView {
  readonly neighbour: NeighbourId | undefined;
  readonly publicKey: Uint8Array | undefined;
  readonly endpoint: Endpoint;
  readonly origin: PeerOrigin;
  readonly state: 'connecting' | 'up' | 'backoff';
  /** Monotonic ms of the last completed handshake. */
  readonly lastHandshakeAt: Millis | undefined;
  readonly rxBytes: number;
  readonly txBytes: number;
  readonly rxPackets: number;
  readonly txPackets: number;
}

export interface LinkManager {
  /** Keeps a link to this peer: handshakes now, retries with backoff while it does not answer. */
  addPeer(target: PeerTarget, now: Millis): void;
  /** Forgets a static or discovered peer (by endpoint): its session goes down. Returns false if unknown. */
  removePeer(endpoint: Endpoint, now: Millis): boolean;
  /** One received datagram that is not a Data frame (handshake, cookie, transport, beacon frames are all fine). */
  handleDatagram(datagram: Uint8Array, from: Endpoint, now: Millis): void;
  handleTimer(now: Millis): void;
  /** Seals one Babel packet for a neighbour; queues a 'send'. Returns false if it has no live session. */
  sendControl(neighbour: NeighbourId, body: Uint8Array, now: Millis): boolean;
  /**
   * The Data-frame fast path on receive: the neighbour whose live session has this local index, or
   * undefined (the frame is dropped and counted by the caller). Counts rx bytes/packets on the session.
   * With `from`, a frame from another endpoint than the session's is refused (`drop.data-wrong-source`):
   * Data frames carry no link authentication, so only the session's peer may use its index. A roaming
   * peer's data is accepted again once an authenticated frame has moved the session (a Hello, ≤ 2 s).
   */
  neighbourForIndex(localIndex: number, byteLength: number, from?: Endpoint): NeighbourId | undefined;
  /**
   * The Data-frame fast path on send: where to send a frame to this neighbour and the receiver index
   * to write into it, or undefined if no live session. Counts tx bytes/packets on the session.
   */
  dataTarget(
    neighbour: NeighbourId,
    byteLength: number,
  ): { readonly to: Endpoint; readonly remoteIndex: number } | undefined;
  /** Sends nothing more; every live neighbour goes 'down'. */
  close(now: Millis): void;
  poll(): LinkAction | undefined;
  nextTimeout(): Millis | undefined;
  links(): LinkView[];
  /** Monotonic counters: frames in/out by type, drops by reason, handshakes started/completed/failed. */
  counters(): Readonly<Record<string, number>>;
}

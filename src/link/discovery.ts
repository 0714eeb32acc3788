/**
 * LAN discovery, the sans-IO part: when to send a beacon, what it says, and which received beacons
 * become peers to dial. The socket lives in discovery-socket.ts; this file reads no clock, no socket
 * and no global RNG (`now` is monotonic ms from the driver, randomness comes from `deps.random`).
 *
 * Sending: one DiscoveryBeacon (src/wire/link/discovery.ts) every BEACON_INTERVAL_MS ± 20%
 * (4 to 6 s, uniform; the jitter keeps nodes that booted together from beaconing in lockstep). The
 * first beacon is due at once.
 *
 * Receiving, in order (each refusal is counted, nothing throws):
 *   1. the datagram must decode as a beacon (`drop.<decode code>`: bad-magic, bad-length, …);
 *   2. its source must be an IPv6 link-local address with a zone, 'fe80::…%eth0' (`drop.beacon-source`):
 *      the group is link-scoped, and a beacon from elsewhere would let anyone steer our dialling;
 *   3. it must not carry our own key (`drop.beacon-self`: our own beacon looped back, or a copy);
 *   4. its network tag must equal ours (`drop.beacon-network`);
 *   5. its key must not have been proposed within HOLD_MS (`beacon.held`): a node beacons every
 *      few seconds, and one proposal per hold time is enough for the link manager, which keeps the
 *      peer and dials it on its own schedule.
 * A beacon that passes becomes a PeerTarget: the source address with its zone and the beacon's
 * port, origin 'discovered', expectedKey = the beacon's key (the handshake proves it).
 *
 * Memory is bounded: at most MAX_REMEMBERED keys are remembered; past that the least recently
 * proposed is forgotten (a flood of forged keys can only make us re-propose a real peer early).
 */
import { isIPv6 } from 'node:net';
import { bytesEqual, toHex } from '../util/bytes.js';
import { decodeDiscoveryBeacon, encodeDiscoveryBeacon } from '../wire/link/discovery.js';
import type { LinkDecodeErrorCode } from '../wire/link/types.js';
import type { Endpoint, Millis, PeerTarget } from './api.js';

/** Mean time between two beacons. */
export const BEACON_INTERVAL_MS = 5_000;
/** Each interval is drawn uniformly from BEACON_INTERVAL_MS × (1 ± BEACON_JITTER). */
export const BEACON_JITTER = 0.2;
/** A key proposed once is not proposed again for this long, however often it beacons. */
export const HOLD_MS = 60_000;
/** Most keys remembered for the hold; the least recently proposed is evicted first. */
export const MAX_REMEMBERED = 1024;

const KEY_BYTES = 32;
const TAG_BYTES = 8;

export interface DiscoveryDeps {
  /** Our Ed25519 identity key (32 bytes): advertised, and how we recognise our own beacons. */
  readonly publicKey: Uint8Array;
  /** The port our link socket listens on (1..65535), advertised in the beacon. */
  readonly listenPort: number;
  /** beaconNetworkTag(keys) from src/crypto/network-key.ts (8 bytes). */
  readonly networkTag: Uint8Array;
  /** Uniform in [0, 1), for the interval jitter. */
  readonly random: () => number;
}

export interface DiscoveryConfig {
  readonly intervalMs: Millis;
  /** Fraction in [0, 1). */
  readonly jitter: number;
  readonly holdMs: Millis;
  readonly maxRemembered: number;
}

export const DEFAULT_DISCOVERY_CONFIG: DiscoveryConfig = Object.freeze({
  intervalMs: BEACON_INTERVAL_MS,
  jitter: BEACON_JITTER,
  holdMs: HOLD_MS,
  maxRemembered: MAX_REMEMBERED,
});

export interface Discovery {
  /**
   * True when a beacon is due at `now`; it then schedules the next one, so the caller sends
   * `beacon()` on every interface once per true. False (and nothing changes) before that.
   */
  beaconDue(now: Millis): boolean;
  /** When the next beacon is due (monotonic ms); 0 before the first, which is due at once. */
  nextTimeout(): Millis;
  /** The beacon to send (the same bytes every time; do not modify them). */
  beacon(): Uint8Array;
  /** One datagram from the discovery socket; returns the peer to dial, or undefined (counted). */
  handleBeacon(datagram: Uint8Array, from: Endpoint, now: Millis): PeerTarget | undefined;
  /**
   * Monotonic counters: `rx.beacon` (decoded), `drop.<decode code>`, `drop.beacon-source`,
   * `drop.beacon-self`, `drop.beacon-network`, `beacon.held`, `beacon.proposed`, `beacon.evicted`,
   * `tx.beacon` (beacons due).
   */
  counters(): Record<string, number>;
}

function checkBytes(name: string, value: unknown, length: number): void {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${name} must be a Uint8Array`);
  if (value.length !== length) throw new RangeError(`${name} must be ${length} bytes, got ${value.length}`);
}

/** fe80::/10 followed by a zone: the first group is fe80..febf. */
const SCOPED_LINK_LOCAL = /^fe[89ab][0-9a-f]:[0-9a-f:]*%[^%]+$/i;

/** True when `address` is an IPv6 link-local (fe80::/10) address carrying a zone ('fe80::1%eth0'). */
export function isScopedLinkLocal(address: string): boolean {
  return SCOPED_LINK_LOCAL.test(address) && isIPv6(address);
}

/** Creates the discovery state machine. Throws TypeError/RangeError on bad arguments. */
export function createDiscovery(deps: DiscoveryDeps, config: Partial<DiscoveryConfig> = {}): Discovery {
  checkBytes('publicKey', deps.publicKey, KEY_BYTES);
  checkBytes('networkTag', deps.networkTag, TAG_BYTES);
  if (!Number.isInteger(deps.listenPort) || deps.listenPort < 1 || deps.listenPort > 0xffff)
    throw new RangeError(`listenPort must be an integer 1..65535, got ${deps.listenPort}`);
  if (typeof deps.random !== 'function') throw new TypeError('random must be a function');
  const cfg = { ...DEFAULT_DISCOVERY_CONFIG, ...config };
  if (!(cfg.intervalMs > 0)) throw new RangeError(`intervalMs must be > 0, got ${cfg.intervalMs}`);
  if (!(cfg.jitter >= 0 && cfg.jitter < 1))
    throw new RangeError(`jitter must be in [0, 1), got ${cfg.jitter}`);
  if (!(cfg.holdMs >= 0)) throw new RangeError(`holdMs must be >= 0, got ${cfg.holdMs}`);
  if (!Number.isInteger(cfg.maxRemembered) || cfg.maxRemembered < 1)
    throw new RangeError(`maxRemembered must be an integer >= 1, got ${cfg.maxRemembered}`);
  return new DiscoveryState(deps, cfg);
}

class DiscoveryState implements Discovery {
  private readonly publicKey: Uint8Array;
  private readonly networkTag: Uint8Array;
  private readonly encoded: Uint8Array;
  /** Deadline of the next beacon (monotonic ms). */
  private next: Millis = 0;
  /** Key hex → when it was last proposed. Map order is proposal order, oldest first. */
  private readonly proposed = new Map<string, Millis>();
  private readonly counts = new Map<string, number>();
  private readonly random: () => number;

  constructor(
    deps: DiscoveryDeps,
    private readonly cfg: DiscoveryConfig,
  ) {
    this.random = deps.random;
    this.publicKey = Uint8Array.from(deps.publicKey);
    this.networkTag = Uint8Array.from(deps.networkTag);
    this.encoded = encodeDiscoveryBeacon({
      port: deps.listenPort,
      publicKey: this.publicKey,
      networkTag: this.networkTag,
    });
  }

  beaconDue(now: Millis): boolean {
    if (now < this.next) return false;
    this.next = now + this.interval();
    this.count('tx.beacon');
    return true;
  }

  nextTimeout(): Millis {
    return this.next;
  }

  beacon(): Uint8Array {
    return this.encoded;
  }

  handleBeacon(datagram: Uint8Array, from: Endpoint, now: Millis): PeerTarget | undefined {
    const decoded = decodeDiscoveryBeacon(datagram);
    if (!decoded.ok) return this.drop(decoded.error.code);
    this.count('rx.beacon');
    const msg = decoded.value;
    if (!isScopedLinkLocal(from.address)) return this.drop('beacon-source');
    if (bytesEqual(msg.publicKey, this.publicKey)) return this.drop('beacon-self');
    if (!bytesEqual(msg.networkTag, this.networkTag)) return this.drop('beacon-network');
    const key = toHex(msg.publicKey);
    const last = this.proposed.get(key);
    if (last !== undefined && now - last < this.cfg.holdMs) {
      this.count('beacon.held');
      return undefined;
    }
    // Re-insert so Map order stays "least recently proposed first".
    this.proposed.delete(key);
    this.proposed.set(key, now);
    while (this.proposed.size > this.cfg.maxRemembered) {
      const oldest = this.proposed.keys().next().value as string;
      this.proposed.delete(oldest);
      this.count('beacon.evicted');
    }
    this.count('beacon.proposed');
    return Object.freeze({
      endpoint: Object.freeze({ address: from.address, port: msg.port }),
      origin: 'discovered' as const,
      expectedKey: Uint8Array.from(msg.publicKey),
    });
  }

  counters(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  /** One interval, uniform in intervalMs × [1 − jitter, 1 + jitter]. */
  private interval(): Millis {
    let r = this.random();
    if (!(r >= 0 && r < 1)) r = 0.5; // a broken RNG must not stall or flood the beacons
    return this.cfg.intervalMs * (1 + this.cfg.jitter * (2 * r - 1));
  }

  private drop(reason: LinkDecodeErrorCode | 'beacon-source' | 'beacon-self' | 'beacon-network'): undefined {
    this.count(`drop.${reason}`);
    return undefined;
  }

  private count(name: string): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
  }
}

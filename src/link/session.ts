/**
 * The state of link sessions and of the peers the node keeps a link to, in plain view (babeld's
 * neighbour.h): a Session per authenticated peer key, a Target per static or discovered endpoint,
 * and an Attempt for an initiator handshake in flight. The manager (manager.ts) drives them; the
 * rules that only look at one session (which keypair is current, when its timers fall due) are
 * small functions here.
 *
 * Keypair slots of a session:
 * - `current`: sends control and names the Data-frame receiver index; receives;
 * - `previous`: receives only, until it is rejected by age or replaced;
 * - `next`: an initiator's keypair after message 3, receive only until the peer proves it holds it
 *   (the responder answers message 3 with a keepalive on it); then it is promoted.
 */
import type { CookieGenerator } from '../crypto/cookie.js';
import type { InitiatorHandshake } from '../crypto/handshake.js';
import type { Keypair } from '../crypto/keypair.js';
import type { NeighbourId } from '../routing/api.js';
import type { Endpoint, Millis, PeerOrigin } from './api.js';
import { CROSSING_WINDOW_MS } from './constants.js';

/** An initiator handshake in flight, owned by a Target (connecting) or a Session (rekey, probe). */
export interface Attempt {
  readonly owner: Target | Session;
  readonly endpoint: Endpoint;
  /** Set right after the index is allocated; undefined only inside startAttempt. */
  hs: InitiatorHandshake | undefined;
  /** No message 2 by then: the attempt timed out (REKEY_TIMEOUT_MS after message 1). */
  deadline: Millis;
}

/** A static or discovered peer: an endpoint the node keeps trying until it is attached to a session. */
export class Target {
  readonly kind = 'target';
  origin: Exclude<PeerOrigin, 'inbound'>;
  expectedKey: Uint8Array | undefined;
  /** Failed attempts in a row; reset when its session comes up. */
  failures = 0;
  /** When the current run of failures started (discovered peers are forgotten after a while). */
  firstFailureAt: Millis | undefined;
  attempt: Attempt | undefined;
  /** Waiting in backoff until then. */
  retryAt: Millis | undefined;
  /** The session this target's peer has (up or confirming); the session then owns every handshake. */
  session: Session | undefined;

  constructor(
    readonly endpoint: Endpoint,
    readonly key: string,
    origin: Exclude<PeerOrigin, 'inbound'>,
    expectedKey: Uint8Array | undefined,
    /** Keeps a cookie received from this endpoint across attempts. */
    readonly cookie: CookieGenerator,
  ) {
    this.origin = origin;
    this.expectedKey = expectedKey;
  }

  /** Returns the next time this target needs the timer (attempt timeout or end of backoff). */
  deadline(): Millis | undefined {
    if (this.session) return undefined;
    return this.attempt ? this.attempt.deadline : this.retryAt;
  }
}

/** What a Data frame to this neighbour needs; one object per (endpoint, current keypair). */
export interface DataTarget {
  readonly to: Endpoint;
  readonly remoteIndex: number;
}

/** The link to one authenticated peer key. Exists from its first keypair until it goes down. */
export class Session {
  readonly kind = 'session';
  endpoint: Endpoint;
  endpointKey: string;
  /** True once a keypair is current; 'up' was emitted. */
  up = false;
  current: Keypair | undefined;
  previous: Keypair | undefined;
  next: Keypair | undefined;
  nextDeadline: Millis = Number.POSITIVE_INFINITY;
  /** This session's own initiator handshake (rekey or probe); at most one. */
  attempt: Attempt | undefined;
  readonly targets: Target[] = [];
  /** Last authenticated frame from the peer (transport, or a handshake message that proved its key). */
  lastReceivedAt: Millis;
  lastHandshakeAt: Millis | undefined;
  /** Passive keepalive due (received control, sent nothing since). */
  keepaliveAt: Millis | undefined;
  dataTarget: DataTarget | undefined;
  rxBytes = 0;
  txBytes = 0;
  rxPackets = 0;
  txPackets = 0;

  constructor(
    readonly publicKey: Uint8Array,
    readonly neighbour: NeighbourId,
    endpoint: Endpoint,
    endpointKey: string,
    now: Millis,
    /** True when this node's public key sorts below the peer's (bytewise): the crossing tie-break. */
    readonly weAreLower: boolean,
    /** Keeps a cookie received from the peer across rekeys. */
    readonly cookie: CookieGenerator,
  ) {
    this.endpoint = endpoint;
    this.endpointKey = endpointKey;
    this.lastReceivedAt = now;
  }

  /** The operator's view of where the peer came from: static beats discovered beats inbound. */
  origin(): PeerOrigin {
    let origin: PeerOrigin = 'inbound';
    for (const t of this.targets) {
      if (t.origin === 'static') return 'static';
      origin = 'discovered';
    }
    return origin;
  }

  /** Rebuilds the cached Data-frame target after the endpoint or the current keypair changed. */
  refreshDataTarget(): void {
    this.dataTarget = this.current ? { to: this.endpoint, remoteIndex: this.current.remoteIndex } : undefined;
  }

  /** True when the lower-keyed of the two nodes initiated `kp`. */
  initiatedByLower(kp: Keypair): boolean {
    return kp.isInitiator === this.weAreLower;
  }

  /**
   * Whether `candidate` should replace the current keypair. A newer keypair always wins, except in
   * a crossing: when the current one is younger than CROSSING_WINDOW_MS and was initiated by the
   * lower key while the candidate was initiated by the higher key. Both sides apply the same rule
   * to the same two keypairs, so both end with the same current one.
   */
  prefers(candidate: Keypair, now: Millis): boolean {
    const cur = this.current;
    if (!cur) return true;
    if (now - cur.createdAt >= CROSSING_WINDOW_MS) return true;
    return this.initiatedByLower(candidate) || !this.initiatedByLower(cur);
  }

  /**
   * Installs a confirmed keypair: as current (the old current becomes previous) or, when the
   * crossing rule keeps the current one, as previous. Returns the keypairs that fell out.
   */
  install(kp: Keypair, now: Millis): Keypair[] {
    const dropped: Keypair[] = [];
    if (this.next === kp) {
      this.next = undefined;
      this.nextDeadline = Number.POSITIVE_INFINITY;
    }
    if (this.previous && this.previous !== kp) dropped.push(this.previous);
    if (this.prefers(kp, now)) {
      this.previous = this.current;
      this.current = kp;
    } else {
      this.previous = kp;
    }
    this.refreshDataTarget();
    return dropped;
  }

  /** Sets the unconfirmed initiator keypair; returns the one it replaces, if any. */
  setNext(kp: Keypair, deadline: Millis): Keypair | undefined {
    const old = this.next;
    this.next = kp;
    this.nextDeadline = deadline;
    return old;
  }

  /** Every keypair the session holds (for freeing their indexes). */
  keypairs(): Keypair[] {
    const out: Keypair[] = [];
    if (this.current) out.push(this.current);
    if (this.previous) out.push(this.previous);
    if (this.next) out.push(this.next);
    return out;
  }
}

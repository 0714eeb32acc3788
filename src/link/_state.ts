/**
 * The link manager's shared state and the operations on it that more than one stage needs: the
 * index table, sessions, targets and responder handshakes; the action queue and counters;
 * starting and failing initiator attempts; installing keypairs; roaming; taking sessions down.
 * receive.ts (datagrams), expire.ts (timers) and manager.ts (the public API) act through it.
 */

import { REKEY_TIMEOUT_MS } from '../crypto/constants.js';
import { CookieGenerator } from '../crypto/cookie.js';
import {
  abandonHandshake,
  createHandshakeContext,
  createInitiation,
  type HandshakeContext,
  type ResponderHandshake,
} from '../crypto/handshake.js';
import { equalBytes } from '../crypto/kdf.js';
import { IndexTable, type Keypair } from '../crypto/keypair.js';
import { encryptTransport } from '../crypto/transport.js';
import type { NeighbourId } from '../routing/api.js';
import { ContentType, FrameType } from '../wire/link/constants.js';
import type { Endpoint, LinkAction, LinkDeps, Millis, PeerTarget } from './api.js';
import { backoffDelay } from './backoff.js';
import { DISCOVERED_GIVE_UP_MS, type LinkConfig } from './constants.js';
import { Counters, frameName } from './counters.js';
import { copyEndpoint, endpointKey, sameEndpoint } from './endpoint.js';
import { HandshakeLoad } from './load.js';
import { type Attempt, Session, Target } from './session.js';
import { canStartAttempt, sessionDeadline } from './timers.js';

/** A responder handshake between messages 2 and 3. */
export interface PendingResponder {
  readonly hs: ResponderHandshake;
  readonly endpoint: Endpoint;
  readonly deadline: Millis;
}

/** What a local index names. One Map probe finds it (the Data-frame hot path reads `session`). */
export type IndexEntry =
  | { readonly kind: 'reserved' }
  | { readonly kind: 'initiator'; readonly attempt: Attempt }
  | { readonly kind: 'responder'; readonly pending: PendingResponder }
  | { readonly kind: 'keypair'; readonly session: Session; readonly keypair: Keypair };

/** The entry an index holds between its allocation and the handshake that fills it. */
export const RESERVED: IndexEntry = Object.freeze({ kind: 'reserved' });

/** Lowercase hex of a key: the neighbour id. */
export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Bytewise comparison of two equal-length keys: negative when a sorts first. */
function compareKeys(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

export class LinkState {
  readonly ctx: HandshakeContext;
  readonly counts = new Counters();
  readonly load: HandshakeLoad;
  readonly indexes = new IndexTable<IndexEntry>();
  /** Every session by neighbour id (hex of the peer key), up or confirming its first keypair. */
  readonly sessions = new Map<NeighbourId, Session>();
  /** Static and discovered peers by canonical endpoint key. */
  readonly targets = new Map<string, Target>();
  /** Responder handshakes between messages 2 and 3, by local index. */
  readonly responders = new Map<number, PendingResponder>();
  /** Actions not yet polled: actions[head..]. */
  readonly actions: LinkAction[] = [];
  head = 0;
  /** A lower bound of the earliest deadline (an early wake is harmless); recomputed by expireAll. */
  wake = Number.POSITIVE_INFINITY;
  closed = false;

  constructor(
    readonly deps: LinkDeps,
    readonly cfg: LinkConfig,
  ) {
    this.ctx = createHandshakeContext(deps.identity, deps.keys, deps.randomBytes);
    this.load = new HandshakeLoad(cfg.loadThresholdPerSecond);
  }

  arm(at: Millis): void {
    if (at < this.wake) this.wake = at;
  }

  armSession(s: Session): void {
    this.arm(sessionDeadline(s, this.cfg));
  }

  send(to: Endpoint, datagram: Uint8Array, type: FrameType): void {
    this.counts.add(`tx.${frameName(type)}`);
    this.actions.push({ kind: 'send', to, datagram });
  }

  notify(event: string, detail: Record<string, unknown>): void {
    this.actions.push({ kind: 'notify', event, detail });
  }

  newTarget(target: PeerTarget, key: string, expected: Uint8Array | undefined): Target {
    const t = new Target(
      copyEndpoint(target.endpoint),
      key,
      target.origin,
      expected,
      new CookieGenerator(this.deps.keys),
    );
    this.targets.set(key, t);
    return t;
  }

  sessionAt(key: string): Session | undefined {
    for (const s of this.sessions.values()) if (s.endpointKey === key) return s;
    return undefined;
  }

  unattachedTargets(): number {
    let n = 0;
    for (const t of this.targets.values()) if (!t.session) n++;
    return n;
  }

  attach(t: Target, s: Session): void {
    t.session = s;
    t.retryAt = undefined;
    if (!s.targets.includes(t)) s.targets.push(t);
  }

  /**
   * Keeps a link to `target` (addPeer after its argument checks, and discovery beacons): a known
   * endpoint is left alone (a repeated beacon must not reset the backoff; static wins over
   * discovered); a key or endpoint that already has a live session gets no second one.
   */
  addTarget(target: PeerTarget, now: Millis): void {
    if (this.closed) return;
    const key = endpointKey(target.endpoint);
    const expected = target.expectedKey ? Uint8Array.from(target.expectedKey) : undefined;
    const existing = this.targets.get(key);
    if (existing) {
      if (target.origin === 'static') {
        existing.origin = 'static';
        existing.expectedKey = expected;
      }
      return;
    }
    if (expected && equalBytes(expected, this.deps.identity.publicKey)) {
      this.counts.drop('self');
      return;
    }
    const known = expected ? this.sessions.get(hex(expected)) : this.sessionAt(key);
    if (known?.up) {
      if (target.origin === 'discovered') return;
      this.attach(this.newTarget(target, key, expected), known);
      return;
    }
    if (target.origin === 'discovered' && this.unattachedTargets() >= this.cfg.maxTargets) {
      this.counts.drop('target-cap');
      return;
    }
    this.startTargetAttempt(this.newTarget(target, key, expected), now);
  }

  /** Allocates an index for `entry`, or undefined (counted) in the practically impossible full table. */
  allocate(entry: IndexEntry): number | undefined {
    try {
      return this.indexes.allocate(this.deps.randomBytes, entry);
    } catch {
      this.counts.add('index-exhausted');
      return undefined;
    }
  }

  /** Sends message 1 to `endpoint` for `owner`; returns the attempt (undefined if no index was free). */
  startAttempt(
    owner: Target | Session,
    endpoint: Endpoint,
    cookie: CookieGenerator,
    now: Millis,
  ): Attempt | undefined {
    const attempt: Attempt = { owner, endpoint, hs: undefined, deadline: now + REKEY_TIMEOUT_MS };
    const index = this.allocate({ kind: 'initiator', attempt });
    if (index === undefined) return undefined;
    const m1 = createInitiation(this.ctx, index, now, cookie);
    attempt.hs = m1.handshake;
    this.counts.add('handshake.started');
    this.send(endpoint, m1.frame, FrameType.HandshakeInitiation);
    this.arm(attempt.deadline);
    return attempt;
  }

  startTargetAttempt(t: Target, now: Millis): void {
    t.retryAt = undefined;
    t.attempt = this.startAttempt(t, t.endpoint, t.cookie, now);
    if (!t.attempt) this.targetFailed(t, now);
  }

  startSessionAttempt(s: Session, now: Millis, why: string): void {
    if (!canStartAttempt(s)) return;
    s.attempt = this.startAttempt(s, s.endpoint, s.cookie, now);
    if (s.attempt) this.notify('handshake', { neighbour: s.neighbour, why });
  }

  /** Frees an attempt's index and wipes its handshake. */
  endAttempt(attempt: Attempt | undefined): void {
    if (!attempt?.hs) return;
    abandonHandshake(attempt.hs);
    this.indexes.delete(attempt.hs.localIndex);
  }

  targetFailed(t: Target, now: Millis): void {
    t.failures++;
    t.firstFailureAt ??= now;
    if (t.origin === 'discovered' && now - t.firstFailureAt >= DISCOVERED_GIVE_UP_MS) {
      this.targets.delete(t.key);
      this.notify('peer-forgotten', { endpoint: t.endpoint, failures: t.failures });
      return;
    }
    const delay = backoffDelay(t.failures, this.deps.random, this.cfg.backoffBaseMs, this.cfg.backoffMaxMs);
    t.retryAt = now + delay;
    this.arm(t.retryAt);
    this.notify('backoff', { endpoint: t.endpoint, failures: t.failures, delayMs: delay });
  }

  /** An attempt failed for good (timeout, wrong key, self, cap): free it and tell its owner. */
  attemptFailed(attempt: Attempt, now: Millis): void {
    this.endAttempt(attempt);
    const owner = attempt.owner;
    if (owner.attempt !== attempt) return;
    owner.attempt = undefined;
    if (owner.kind === 'target') this.targetFailed(owner, now);
    else this.armSession(owner);
  }

  newSession(peerKey: Uint8Array, from: Endpoint, now: Millis): Session | undefined {
    if (this.sessions.size >= this.cfg.maxSessions) return undefined;
    const s = new Session(
      Uint8Array.from(peerKey),
      hex(peerKey),
      copyEndpoint(from),
      endpointKey(from),
      now,
      compareKeys(this.deps.identity.publicKey, peerKey) < 0,
      new CookieGenerator(this.deps.keys),
    );
    this.sessions.set(s.neighbour, s);
    return s;
  }

  /** Frees a keypair's index. */
  dropKeypair(kp: Keypair | undefined): void {
    if (kp) this.indexes.delete(kp.localIndex);
  }

  /** Makes a confirmed keypair current (or previous, by the crossing rule); brings the session up. */
  installKeypair(s: Session, kp: Keypair, from: Endpoint, now: Millis): void {
    for (const old of s.install(kp, now)) this.dropKeypair(old);
    s.lastHandshakeAt = now;
    s.lastReceivedAt = now;
    this.moveEndpoint(s, from);
    if (!s.up) {
      s.up = true;
      this.counts.add('session.up');
      for (const t of s.targets) {
        t.failures = 0;
        t.firstFailureAt = undefined;
      }
      this.actions.push({
        kind: 'up',
        neighbour: s.neighbour,
        publicKey: Uint8Array.from(s.publicKey),
        endpoint: s.endpoint,
      });
    }
    this.armSession(s);
  }

  /** Roaming: an authenticated frame from another endpoint moves the session there. */
  moveEndpoint(s: Session, from: Endpoint): void {
    if (sameEndpoint(s.endpoint, from)) return;
    const old = s.endpoint;
    s.endpoint = copyEndpoint(from);
    s.endpointKey = endpointKey(from);
    s.refreshDataTarget();
    if (s.up) {
      this.counts.add('session.roamed');
      this.notify('roamed', { neighbour: s.neighbour, from: old, to: s.endpoint });
    }
  }

  /**
   * Ends a session: 'down' if it was up, every index freed. Its targets reconnect at once (then
   * back off), unless the node is closing.
   */
  sessionDown(s: Session, reason: string, now: Millis): void {
    if (this.sessions.get(s.neighbour) !== s) return;
    this.sessions.delete(s.neighbour);
    for (const kp of s.keypairs()) this.dropKeypair(kp);
    s.current = s.previous = s.next = undefined;
    s.dataTarget = undefined;
    this.endAttempt(s.attempt);
    s.attempt = undefined;
    if (s.up) {
      s.up = false;
      this.counts.add('session.down');
      this.actions.push({ kind: 'down', neighbour: s.neighbour, reason });
    }
    const targets = s.targets.splice(0);
    for (const t of targets) {
      t.session = undefined;
      if (this.closed) continue;
      if (reason === 'unconfirmed') this.targetFailed(t, now);
      else this.startTargetAttempt(t, now);
    }
  }

  /** Seals and queues one Transport frame on `kp`; false when the keypair may not send any more. */
  sendTransport(s: Session, kp: Keypair, type: ContentType, body: Uint8Array, now: Millis): boolean {
    const r = encryptTransport(kp, type, body, now);
    if (!r.ok) {
      this.counts.add(`tx-fail.${r.reason}`);
      return false;
    }
    this.send(s.endpoint, r.frame, FrameType.Transport);
    this.counts.add(type === ContentType.Keepalive ? 'tx.keepalive' : 'tx.control');
    s.txBytes += r.frame.length;
    s.txPackets++;
    s.keepaliveAt = undefined;
    return true;
  }

  /** True while messages 1 and 2 must carry a valid mac2: a high rate, or a half-full responder table. */
  underLoad(now: Millis): boolean {
    return this.load.active(now) || this.responders.size * 2 >= this.cfg.maxPendingResponders;
  }

  recordHandshakeLoad(now: Millis): void {
    if (this.load.record(now)) {
      this.counts.add('load.start');
      this.notify('under-load', { thresholdPerSecond: this.cfg.loadThresholdPerSecond });
    }
  }

  sendCookie(reply: Uint8Array, to: Endpoint): void {
    this.counts.add('cookie.sent');
    this.counts.drop('cookie-required');
    this.send(copyEndpoint(to), reply, FrameType.CookieReply);
  }

  removeResponder(index: number): void {
    const p = this.responders.get(index);
    if (!p) return;
    this.responders.delete(index);
    abandonHandshake(p.hs);
    this.indexes.delete(index);
  }

  expireResponders(now: Millis): void {
    for (const [index, p] of this.responders) {
      if (now >= p.deadline) {
        this.counts.add('handshake.responder-expired');
        this.removeResponder(index);
      }
    }
  }
}

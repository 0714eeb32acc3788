/**
 * The link manager: every link session of a node as one sans-IO state machine
 * (docs/protocol/link-sessions.md). This file is the public API (src/link/api.ts); the work is in
 * receive.ts (datagrams), expire.ts (timers) and _state.ts (what both share).
 *
 * Driver order, as in api.ts: call an input (handleDatagram, handleTimer, addPeer, removePeer,
 * sendControl, close), drain poll() and carry out every action, then re-arm the one timer to
 * nextTimeout(). Time must not go backwards. Nothing here reads a clock, a socket or the global RNG.
 */
import { abandonHandshake } from '../crypto/handshake.js';
import type { NeighbourId } from '../routing/api.js';
import { ContentType, MAX_DATAGRAM_SIZE, TRANSPORT_MIN_SIZE } from '../wire/link/constants.js';
import { LinkState } from './_state.js';
import type { Endpoint, LinkAction, LinkDeps, LinkManager, LinkView, Millis, PeerTarget } from './api.js';
import { DEFAULT_LINK_CONFIG, type LinkConfig } from './constants.js';
import { endpointKey, sameEndpoint } from './endpoint.js';
import { expireAll } from './expire.js';
import { handleDatagram } from './receive.js';

export { DEFAULT_LINK_CONFIG, type LinkConfig } from './constants.js';

const MAX_CONTROL_BODY = MAX_DATAGRAM_SIZE - TRANSPORT_MIN_SIZE;

/**
 * Creates the link manager of a node. `config` overrides the defaults of constants.ts (tests use
 * small caps and thresholds).
 */
export function createLinkManager(deps: LinkDeps, config: Partial<LinkConfig> = {}): LinkManager {
  if (!deps || typeof deps.random !== 'function') throw new TypeError('deps.random must be a function');
  if (typeof deps.randomBytes !== 'function') throw new TypeError('deps.randomBytes must be a function');
  return new Manager(new LinkState(deps, { ...DEFAULT_LINK_CONFIG, ...config }));
}

class Manager implements LinkManager {
  constructor(private readonly st: LinkState) {}

  addPeer(target: PeerTarget, now: Millis): void {
    checkEndpoint(target?.endpoint, 'target.endpoint');
    if (target.origin !== 'static' && target.origin !== 'discovered')
      throw new TypeError(`target.origin must be 'static' or 'discovered', got ${String(target.origin)}`);
    if (target.expectedKey !== undefined && target.expectedKey.length !== 32)
      throw new RangeError('target.expectedKey must be 32 bytes');
    this.st.addTarget(target, now);
  }

  removePeer(endpoint: Endpoint, now: Millis): boolean {
    checkEndpoint(endpoint, 'endpoint');
    const t = this.st.targets.get(endpointKey(endpoint));
    if (!t) return false;
    this.st.targets.delete(t.key);
    this.st.endAttempt(t.attempt);
    t.attempt = undefined;
    const s = t.session;
    if (s) {
      s.targets.splice(s.targets.indexOf(t), 1);
      t.session = undefined;
      this.st.sessionDown(s, 'removed', now);
    }
    return true;
  }

  handleDatagram(datagram: Uint8Array, from: Endpoint, now: Millis): void {
    handleDatagram(this.st, datagram, from, now);
  }

  handleTimer(now: Millis): void {
    expireAll(this.st, now);
  }

  sendControl(neighbour: NeighbourId, body: Uint8Array, now: Millis): boolean {
    if (!(body instanceof Uint8Array)) throw new TypeError('body must be a Uint8Array');
    if (body.length > MAX_CONTROL_BODY)
      throw new RangeError(`control body of ${body.length} bytes exceeds ${MAX_CONTROL_BODY}`);
    if (this.st.closed) return false;
    const s = this.st.sessions.get(neighbour);
    const kp = s?.current;
    if (!s?.up || !kp) return false;
    const status = kp.sendStatus(now);
    if (status === 'reject') {
      this.st.startSessionAttempt(s, now, 'expired');
      return false;
    }
    const ok = this.st.sendTransport(s, kp, ContentType.Control, body, now);
    if (status === 'rekey') this.st.startSessionAttempt(s, now, 'rekey');
    return ok;
  }

  neighbourForIndex(localIndex: number, byteLength: number, from?: Endpoint): NeighbourId | undefined {
    const e = this.st.indexes.get(localIndex);
    if (e === undefined || e.kind !== 'keypair' || !e.session.up) return undefined;
    const s = e.session;
    if (from !== undefined && !sameEndpoint(from, s.endpoint)) {
      this.st.counts.drop('data-wrong-source');
      return undefined;
    }
    s.rxBytes += byteLength;
    s.rxPackets++;
    return s.neighbour;
  }

  dataTarget(
    neighbour: NeighbourId,
    byteLength: number,
  ): { readonly to: Endpoint; readonly remoteIndex: number } | undefined {
    const s = this.st.sessions.get(neighbour);
    if (s === undefined || !s.up || s.dataTarget === undefined) return undefined;
    s.txBytes += byteLength;
    s.txPackets++;
    return s.dataTarget;
  }

  close(now: Millis): void {
    if (this.st.closed) return;
    this.st.closed = true;
    for (const s of [...this.st.sessions.values()]) this.st.sessionDown(s, 'closed', now);
    for (const t of this.st.targets.values()) this.st.endAttempt(t.attempt);
    this.st.targets.clear();
    for (const p of this.st.responders.values()) abandonHandshake(p.hs);
    this.st.responders.clear();
    this.st.wake = Number.POSITIVE_INFINITY;
  }

  poll(): LinkAction | undefined {
    const st = this.st;
    if (st.head < st.actions.length) return st.actions[st.head++];
    st.actions.length = 0;
    st.head = 0;
    return undefined;
  }

  nextTimeout(): Millis | undefined {
    return this.st.wake === Number.POSITIVE_INFINITY ? undefined : this.st.wake;
  }

  counters(): Readonly<Record<string, number>> {
    return this.st.counts.snapshot();
  }

  links(): LinkView[] {
    const out: LinkView[] = [];
    for (const s of this.st.sessions.values()) {
      out.push({
        neighbour: s.neighbour,
        publicKey: Uint8Array.from(s.publicKey),
        endpoint: s.endpoint,
        origin: s.origin(),
        state: s.up ? 'up' : 'connecting',
        lastHandshakeAt: s.lastHandshakeAt,
        rxBytes: s.rxBytes,
        txBytes: s.txBytes,
        rxPackets: s.rxPackets,
        txPackets: s.txPackets,
      });
    }
    for (const t of this.st.targets.values()) {
      if (t.session) continue;
      out.push({
        neighbour: undefined,
        publicKey: t.expectedKey ? Uint8Array.from(t.expectedKey) : undefined,
        endpoint: t.endpoint,
        origin: t.origin,
        state: t.attempt ? 'connecting' : 'backoff',
        lastHandshakeAt: undefined,
        rxBytes: 0,
        txBytes: 0,
        rxPackets: 0,
        txPackets: 0,
      });
    }
    return out;
  }
}

/** Argument check for endpoints at the API boundary (TypeError / RangeError, noble style). */
function checkEndpoint(ep: Endpoint | undefined, name: string): void {
  if (!ep || typeof ep.address !== 'string' || ep.address.length === 0)
    throw new TypeError(`${name}.address must be a non-empty string`);
  if (!Number.isInteger(ep.port) || ep.port < 1 || ep.port > 0xffff)
    throw new RangeError(`${name}.port must be an integer in 1..65535, got ${String(ep.port)}`);
}

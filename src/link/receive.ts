/**
 * Received datagrams (docs/protocol/link-sessions.md §Receive), in four stages:
 *   1. checkFrame: type and size; a bad datagram is a counted drop, never an exception;
 *   2. dispatch on the frame type: handshake messages find their pending state by receiver index
 *      (message 1 creates responder state: bounded, and under load only with a valid mac2);
 *      Transport frames find their keypair by receiver index;
 *   3. a frame that authenticated refreshes liveness and may move the session (roaming);
 *   4. a completed handshake installs its keypair (the crossing rule in session.ts) and brings the
 *      session up.
 * Data frames never come here: the shell reads their index and asks neighbourForIndex. Beacons
 * belong to discovery.ts; here they are only counted.
 */
import { KEEPALIVE_TIMEOUT_MS } from '../crypto/constants.js';
import { readCookieReceiverIndex } from '../crypto/cookie.js';
import {
  abandonHandshake,
  consumeFinish,
  consumeInitiation,
  consumeResponse,
  createFinish,
  createResponse,
  type InitiatorHandshake,
  type ResponderHandshake,
  readFinishReceiverIndex,
  readResponseReceiverIndex,
  retransmit,
} from '../crypto/handshake.js';
import { equalBytes } from '../crypto/kdf.js';
import { decryptTransport } from '../crypto/transport.js';
import { ContentType, checkFrame, FrameType, readTransportReceiverIndex } from '../wire/link/index.js';
import { hex, type LinkState, type PendingResponder, RESERVED } from './_state.js';
import type { Endpoint, Millis } from './api.js';
import { CONFIRM_TIMEOUT_MS, RESPONDER_PENDING_TIMEOUT_MS } from './constants.js';
import { frameName } from './counters.js';
import { cookieSource, copyEndpoint, endpointKey } from './endpoint.js';

const EMPTY = new Uint8Array(0);

/** Handles one received datagram that is not a Data frame. */
export function handleDatagram(st: LinkState, datagram: Uint8Array, from: Endpoint, now: Millis): void {
  if (st.closed) {
    st.counts.drop('closed');
    return;
  }
  const bad = checkFrame(datagram);
  if (bad) {
    st.counts.drop(bad.code);
    return;
  }
  const type = datagram[0] as FrameType;
  st.counts.add(`rx.${frameName(type)}`);
  switch (type) {
    case FrameType.HandshakeInitiation:
      handleInitiation(st, datagram, from, now);
      break;
    case FrameType.HandshakeResponse:
      handleResponse(st, datagram, from, now);
      break;
    case FrameType.HandshakeFinish:
      handleFinish(st, datagram, from, now);
      break;
    case FrameType.CookieReply:
      handleCookieReply(st, datagram, now);
      break;
    case FrameType.Transport:
      handleTransport(st, datagram, from, now);
      break;
    case FrameType.DiscoveryBeacon:
      // Beacons are discovery.ts's (link-local source checks, hold times); it calls addPeer.
      st.counts.drop('beacon');
      break;
    default:
      // Data frames take the shell's fast path (neighbourForIndex), never this queue.
      st.counts.drop('data-frame');
  }
}

/** Message 1: maybe a cookie; else responder state (bounded) and message 2. */
function handleInitiation(st: LinkState, frame: Uint8Array, from: Endpoint, now: Millis): void {
  st.recordHandshakeLoad(now);
  const source = cookieSource(from);
  if (!source) {
    st.counts.drop('bad-endpoint');
    return;
  }
  const r = consumeInitiation(st.ctx, frame, { now, source, underLoad: st.underLoad(now) });
  if (!r.ok) {
    if (r.cookieReply) {
      st.sendCookie(r.cookieReply, from);
      return;
    }
    st.counts.drop(r.reason);
    return;
  }
  if (st.responders.size >= st.cfg.maxPendingResponders) st.expireResponders(now);
  if (st.responders.size >= st.cfg.maxPendingResponders) {
    abandonHandshake(r.initiation);
    st.counts.drop('pending-cap');
    return;
  }
  const index = st.allocate(RESERVED);
  if (index === undefined) {
    abandonHandshake(r.initiation);
    return;
  }
  const m2 = createResponse(st.ctx, r.initiation, index, now);
  if (!m2.ok) {
    st.indexes.delete(index);
    st.counts.drop(m2.reason);
    return;
  }
  const pending: PendingResponder = {
    hs: m2.handshake,
    endpoint: copyEndpoint(from),
    deadline: now + RESPONDER_PENDING_TIMEOUT_MS,
  };
  st.indexes.replace(index, { kind: 'responder', pending });
  st.responders.set(index, pending);
  st.send(pending.endpoint, m2.frame, FrameType.HandshakeResponse);
  st.arm(pending.deadline);
}

/** Message 2 at the initiator: the responder's key is now known; check it, send message 3. */
function handleResponse(st: LinkState, frame: Uint8Array, from: Endpoint, now: Millis): void {
  st.recordHandshakeLoad(now);
  const index = readResponseReceiverIndex(frame);
  const entry = st.indexes.get(index);
  if (entry?.kind !== 'initiator' || !entry.attempt.hs) {
    st.counts.drop('wrong-index');
    return;
  }
  const attempt = entry.attempt;
  const source = cookieSource(from);
  if (!source) {
    st.counts.drop('bad-endpoint');
    return;
  }
  const r = consumeResponse(st.ctx, attempt.hs!, frame, { now, source, underLoad: st.underLoad(now) });
  if (!r.ok) {
    if (r.cookieReply) {
      st.sendCookie(r.cookieReply, from);
      return;
    }
    st.counts.drop(r.reason);
    if (r.reason === 'self') {
      // consumeResponse spent the handshake: this endpoint is this node.
      st.counts.add('handshake.failed');
      st.notify('handshake-failed', { endpoint: attempt.endpoint, reason: 'self' });
      st.attemptFailed(attempt, now);
    }
    return;
  }
  const peerKey = r.handshake.peerPublicKey;
  const owner = attempt.owner;
  const want = owner.kind === 'target' ? owner.expectedKey : owner.publicKey;
  const wrongKey = want !== undefined && !equalBytes(want, peerKey);
  const s = wrongKey ? undefined : (st.sessions.get(hex(peerKey)) ?? st.newSession(peerKey, from, now));
  if (!s) {
    const reason = wrongKey ? 'wrong-peer-key' : 'session-cap';
    abandonHandshake(r.handshake);
    st.counts.drop(reason);
    st.counts.add('handshake.failed');
    st.notify('handshake-failed', {
      endpoint: attempt.endpoint,
      reason,
      expected: want ? hex(want) : undefined,
      got: hex(peerKey),
    });
    st.attemptFailed(attempt, now);
    return;
  }
  const fin = createFinish(st.ctx, r.handshake, now);
  st.counts.add('handshake.completed');
  st.send(copyEndpoint(from), fin.frame, FrameType.HandshakeFinish);
  owner.attempt = undefined;
  if (owner.kind === 'target') st.attach(owner, s);
  st.indexes.replace(index, { kind: 'keypair', session: s, keypair: fin.keypair });
  st.dropKeypair(s.setNext(fin.keypair, now + CONFIRM_TIMEOUT_MS));
  // Message 2 authenticated the responder: it counts as a frame from it, and may move it.
  if (s.up) {
    s.lastReceivedAt = now;
    st.moveEndpoint(s, from);
  } else {
    s.endpoint = copyEndpoint(from);
    s.endpointKey = endpointKey(from);
  }
  st.armSession(s);
}

/** Message 3 at the responder: the initiator is authenticated; the session is up. */
function handleFinish(st: LinkState, frame: Uint8Array, from: Endpoint, now: Millis): void {
  const index = readFinishReceiverIndex(frame);
  const entry = st.indexes.get(index);
  if (entry?.kind !== 'responder') {
    st.counts.drop('wrong-index');
    return;
  }
  const r = consumeFinish(st.ctx, entry.pending.hs, frame, { now });
  if (!r.ok) {
    st.counts.drop(r.reason);
    if (r.reason === 'self') {
      st.counts.add('handshake.failed');
      st.removeResponder(index);
    }
    return;
  }
  st.responders.delete(index);
  const kp = r.keypair;
  const s = st.sessions.get(hex(kp.peerPublicKey)) ?? st.newSession(kp.peerPublicKey, from, now);
  if (!s) {
    st.indexes.delete(index);
    st.counts.drop('session-cap');
    st.counts.add('handshake.failed');
    return;
  }
  st.counts.add('handshake.completed');
  st.indexes.replace(index, { kind: 'keypair', session: s, keypair: kp });
  st.installKeypair(s, kp, from, now);
  // Key confirmation for the initiator, which keeps sending on its old keypair until it hears on this one.
  st.sendTransport(s, kp, ContentType.Keepalive, EMPTY, now);
}

/** A CookieReply: the peer is under load; take the cookie and send our last message again with mac2. */
function handleCookieReply(st: LinkState, frame: Uint8Array, now: Millis): void {
  const entry = st.indexes.get(readCookieReceiverIndex(frame));
  let hs: ResponderHandshake | InitiatorHandshake;
  let to: Endpoint;
  let type: FrameType;
  if (entry?.kind === 'initiator' && entry.attempt.hs && !entry.attempt.hs.done) {
    hs = entry.attempt.hs;
    to = entry.attempt.endpoint;
    type = FrameType.HandshakeInitiation;
  } else if (entry?.kind === 'responder') {
    hs = entry.pending.hs;
    to = entry.pending.endpoint;
    type = FrameType.HandshakeResponse;
  } else {
    st.counts.drop('wrong-index');
    return;
  }
  if (!hs.cookie.consumeReply(frame, now)) {
    st.counts.drop('bad-cookie');
    return;
  }
  st.counts.add('cookie.received');
  const again = retransmit(hs, now);
  if (again) st.send(to, again, type);
}

/** A Transport frame: open it on the keypair its index names; liveness, roaming, confirmation. */
function handleTransport(st: LinkState, frame: Uint8Array, from: Endpoint, now: Millis): void {
  const entry = st.indexes.get(readTransportReceiverIndex(frame));
  if (entry?.kind !== 'keypair') {
    st.counts.drop('wrong-index');
    return;
  }
  const { session: s, keypair: kp } = entry;
  const r = decryptTransport(kp, frame, now);
  if (!r.ok) {
    st.counts.drop(r.reason);
    return;
  }
  s.lastReceivedAt = now;
  s.rxBytes += frame.length;
  s.rxPackets++;
  if (kp === s.next) st.installKeypair(s, kp, from, now);
  else st.moveEndpoint(s, from);
  if (kp === s.current && kp.receiveStatus(now) === 'rekey') st.startSessionAttempt(s, now, 'rekey');
  if (r.content.contentType === ContentType.Keepalive) {
    st.counts.add('rx.keepalive');
  } else {
    st.counts.add('rx.control');
    if (s.keepaliveAt === undefined) s.keepaliveAt = now + KEEPALIVE_TIMEOUT_MS;
    st.actions.push({ kind: 'control', neighbour: s.neighbour, body: r.content.body });
  }
  st.armSession(s);
}

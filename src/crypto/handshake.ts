/**
 * The link handshake, Noise_XXpsk0_25519_ChaChaPoly_SHA256 with prologue "hypha link v1"
 * (docs/protocol/link-handshake.md), in wireguard-go's create/consume pairs:
 *
 *   initiator                                   responder
 *   createInitiation   -- 1 `psk, e` -------->   consumeInitiation   (no DH)
 *   consumeResponse    <-- 2 `e, ee, s, es` --   createResponse      (keygen + 2 DH)
 *   createFinish       -- 7 `s, se` --------->   consumeFinish       (1 DH, after the AEAD)
 *
 * hypha's one deviation from Noise: an `s` token carries the node's Ed25519 identity key, and every
 * DH with it uses its Montgomery form (the X25519 key, RFC 7748 "birational map"), so the transcript
 * commits to the Ed25519 key itself. A received static key must decode as a canonical Ed25519 point
 * of prime order; a small-order or mixed-order key is refused.
 *
 * Each consume* is all or nothing: a forged or tampered frame leaves the pending handshake as it
 * was, and a successful one consumes it, so a replayed message 2 or 3 finds nothing. Sans-IO: the
 * caller passes `now` and injects `randomBytes`; indexes come from an IndexTable it owns.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import {
  FINISH_OFFSET_MAC1,
  FINISH_OFFSET_RECEIVER,
  FINISH_OFFSET_STATIC,
  INITIATION_OFFSET_EPHEMERAL,
  INITIATION_OFFSET_MAC1,
  INITIATION_OFFSET_SENDER,
  KEY_SIZE,
  MAC_SIZE,
  RESPONSE_OFFSET_EPHEMERAL,
  RESPONSE_OFFSET_MAC1,
  RESPONSE_OFFSET_RECEIVER,
  RESPONSE_OFFSET_SENDER,
  TAG_SIZE,
} from '../wire/link/constants.js';
import {
  checkHandshakeFinish,
  checkHandshakeInitiation,
  checkHandshakeResponse,
  encodeHandshakeFinish,
  encodeHandshakeInitiation,
  encodeHandshakeResponse,
} from '../wire/link/handshake.js';
import { aeadKey } from './aead.js';
import { HANDSHAKE_PENDING_TIMEOUT_MS, NOISE_PROLOGUE, NOISE_PROTOCOL_NAME } from './constants.js';
import { CookieChecker, CookieGenerator, checkMac1 } from './cookie.js';
import { clean, equalBytes, utf8 } from './kdf.js';
import { Keypair } from './keypair.js';
import type { NetworkKeys } from './network-key.js';
import { type DhFunctions, HandshakeState, PATTERN_XX_PSK0, type ReadFailure } from './noise.js';

const PROLOGUE = utf8(NOISE_PROLOGUE);
const EMPTY = new Uint8Array(0);
const ZERO_MAC = new Uint8Array(MAC_SIZE);

/** The local node as the handshake needs it (a NodeIdentity from src/identity/keys.ts fits). */
export interface LinkIdentity {
  /** Ed25519 public key: what this node's `s` token carries. */
  readonly publicKey: Uint8Array;
  /** X25519 secret: SHA-512(seed)[0..32] clamped, the scalar of publicKey's Montgomery form. */
  readonly x25519SecretKey: Uint8Array;
}

/** Everything a node's handshakes share. Build once with createHandshakeContext. */
export interface HandshakeContext {
  readonly identity: LinkIdentity;
  readonly keys: NetworkKeys;
  readonly randomBytes: (n: number) => Uint8Array;
  /** Checks mac2 and makes CookieReplies for frames this node receives. */
  readonly cookies: CookieChecker;
  /** X25519; tests inject a counting wrapper. */
  readonly dh?: DhFunctions;
}

/** Builds the shared handshake context of a node. */
export function createHandshakeContext(
  identity: LinkIdentity,
  keys: NetworkKeys,
  randomBytes: (n: number) => Uint8Array,
  dh?: DhFunctions,
): HandshakeContext {
  if (identity.publicKey.length !== KEY_SIZE || identity.x25519SecretKey.length !== KEY_SIZE)
    throw new RangeError('identity keys must be 32 bytes');
  if (typeof randomBytes !== 'function') throw new TypeError('randomBytes must be a function');
  return { identity, keys, randomBytes, cookies: new CookieChecker(keys, randomBytes), dh };
}

/**
 * Returns the X25519 key of a peer's Ed25519 identity key, or undefined when the key is not a
 * canonical encoding of a point of prime order L (RFC 8032 §5.1.3 decoding; small-order and
 * mixed-order points refused). Both A and -A map to the same X25519 key: see the doc, §Identity.
 */
export function peerStaticToX25519(edPublicKey: Uint8Array): Uint8Array | undefined {
  if (edPublicKey.length !== KEY_SIZE) return undefined;
  try {
    const point = ed25519.Point.fromBytes(edPublicKey);
    if (point.isSmallOrder() || !point.isTorsionFree()) return undefined;
    return ed25519.utils.toMontgomery(edPublicKey);
  } catch {
    return undefined;
  }
}

function newHandshakeState(ctx: HandshakeContext, initiator: boolean): HandshakeState {
  return new HandshakeState({
    protocolName: NOISE_PROTOCOL_NAME,
    pattern: PATTERN_XX_PSK0,
    initiator,
    prologue: PROLOGUE,
    s: { publicBytes: ctx.identity.publicKey, secret: ctx.identity.x25519SecretKey },
    psk: ctx.keys.psk,
    randomBytes: ctx.randomBytes,
    dh: ctx.dh,
    remoteStaticToDh: peerStaticToX25519,
  });
}

// ---------------------------------------------------------------------------------------------
// State and results
// ---------------------------------------------------------------------------------------------

interface PendingBase {
  /** This side's index: the receiver index of frames sent to it. */
  readonly localIndex: number;
  /** Caller's ms when the last message was created; the handshake expires HANDSHAKE_PENDING_TIMEOUT_MS later. */
  readonly createdAt: number;
  /** Writes mac1/mac2 on frames this side sends and takes in CookieReplies addressed to it. */
  readonly cookie: CookieGenerator;
  /** The last frame sent, for retransmission with fresh MACs after a CookieReply. */
  readonly lastFrame: Uint8Array;
  /** @internal */
  readonly hs: HandshakeState;
  /** @internal set once the handshake produced its keypair or was abandoned */
  done: boolean;
}

/** An initiator between messages 1 and 2. */
export interface InitiatorHandshake extends PendingBase {
  readonly role: 'initiator';
}

/** An initiator after message 2: the responder is authenticated, message 3 not yet written. */
export interface InitiatorAfterResponse {
  readonly role: 'initiator-responded';
  readonly localIndex: number;
  readonly remoteIndex: number;
  /** The responder's Ed25519 identity key, authenticated by message 2. */
  readonly peerPublicKey: Uint8Array;
  /** @internal */
  readonly hs: HandshakeState;
  readonly cookie: CookieGenerator;
  done: boolean;
}

/** A message 1 the responder accepted; createResponse turns it into a ResponderHandshake. */
export interface AcceptedInitiation {
  readonly remoteIndex: number;
  /** @internal */
  readonly hs: HandshakeState;
  done: boolean;
}

/** A responder between messages 2 and 3. */
export interface ResponderHandshake extends PendingBase {
  readonly role: 'responder';
  readonly remoteIndex: number;
}

/** Why a handshake frame was dropped; stable labels for drop counters. */
export type HandshakeDropReason =
  | 'malformed'
  | 'bad-mac1'
  | 'cookie-required'
  | 'wrong-index'
  | 'consumed'
  | 'expired'
  | ReadFailure
  | 'self';

export type HandshakeFailure = {
  readonly ok: false;
  readonly reason: HandshakeDropReason;
  /** With 'cookie-required': the CookieReply to send back to the frame's source. */
  readonly cookieReply?: Uint8Array;
};

/** How a handshake frame arrived. */
export interface ReceiveOptions {
  /** Caller's monotonic ms. */
  readonly now: number;
  /** The sender's underlay endpoint, endpointBytes(ip, port): what a cookie is bound to. */
  readonly source: Uint8Array;
  /** The caller is flooded: frames 1 and 2 then need a valid mac2 before any DH (or get a cookie). */
  readonly underLoad?: boolean;
}

function fail(reason: HandshakeDropReason, cookieReply?: Uint8Array): HandshakeFailure {
  return cookieReply ? { ok: false, reason, cookieReply } : { ok: false, reason };
}

/** mac1 always; under load, mac2 too, answering a missing one with a CookieReply. One HMAC or two, no DH. */
function checkMacs(
  ctx: HandshakeContext,
  frame: Uint8Array,
  senderIndex: number,
  opts: ReceiveOptions,
): HandshakeFailure | undefined {
  if (!checkMac1(ctx.keys, frame)) return fail('bad-mac1');
  if (opts.underLoad && !ctx.cookies.checkMac2(frame, opts.source, opts.now)) {
    return fail('cookie-required', ctx.cookies.createReply(frame, senderIndex, opts.source, opts.now));
  }
  return undefined;
}

function readU32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

function makeKeypair(
  hs: HandshakeState,
  localIndex: number,
  remoteIndex: number,
  isInitiator: boolean,
  now: number,
): Keypair {
  const handshakeHash = hs.getHandshakeHash();
  const peerPublicKey = Uint8Array.from(hs.remoteStatic!);
  const [k1, k2] = hs.split(); // [initiator→responder, responder→initiator]
  const [send, recv] = isInitiator ? [k1, k2] : [k2, k1];
  const keypair = new Keypair({
    localIndex,
    remoteIndex,
    sendKey: aeadKey('chacha20-poly1305', send),
    recvKey: aeadKey('chacha20-poly1305', recv),
    createdAt: now,
    isInitiator,
    peerPublicKey,
    handshakeHash,
  });
  clean(k1, k2);
  return keypair;
}

// ---------------------------------------------------------------------------------------------
// Message 1: `-> psk, e`
// ---------------------------------------------------------------------------------------------

/**
 * Creates message 1 with sender index `localIndex` (allocate it from the IndexTable). Pass the
 * CookieGenerator kept for this peer's endpoint so a cookie received earlier sets mac2.
 */
export function createInitiation(
  ctx: HandshakeContext,
  localIndex: number,
  now: number,
  cookie: CookieGenerator = new CookieGenerator(ctx.keys),
): { frame: Uint8Array; handshake: InitiatorHandshake } {
  const hs = newHandshakeState(ctx, true);
  const msg = hs.writeMessage(EMPTY); // e (32) ‖ sealed empty payload (16)
  const frame = encodeHandshakeInitiation({
    senderIndex: localIndex,
    ephemeral: msg.subarray(0, KEY_SIZE),
    encryptedPayload: msg.subarray(KEY_SIZE),
    mac1: ZERO_MAC,
    mac2: ZERO_MAC,
  });
  cookie.addMacs(frame, now);
  return {
    frame,
    handshake: { role: 'initiator', localIndex, createdAt: now, cookie, lastFrame: frame, hs, done: false },
  };
}

/**
 * Consumes message 1: frame checks, mac1, (under load) mac2, then the psk-keyed tag. Does no DH,
 * so it is cheap to refuse; the DH work starts in createResponse.
 */
export function consumeInitiation(
  ctx: HandshakeContext,
  frame: Uint8Array,
  opts: ReceiveOptions,
): { ok: true; initiation: AcceptedInitiation } | HandshakeFailure {
  if (checkHandshakeInitiation(frame)) return fail('malformed');
  const senderIndex = readU32(frame, INITIATION_OFFSET_SENDER);
  const macs = checkMacs(ctx, frame, senderIndex, opts);
  if (macs) return macs;
  const hs = newHandshakeState(ctx, false);
  const r = hs.readMessage(frame.subarray(INITIATION_OFFSET_EPHEMERAL, INITIATION_OFFSET_MAC1));
  if (!r.ok) {
    hs.clean();
    return fail(r.reason);
  }
  return { ok: true, initiation: { remoteIndex: senderIndex, hs, done: false } };
}

// ---------------------------------------------------------------------------------------------
// Message 2: `<- e, ee, s, es`
// ---------------------------------------------------------------------------------------------

/**
 * Creates message 2 answering an accepted message 1, with sender index `localIndex`. Fails with
 * 'low-order' when the initiator's ephemeral key is a small-order point (the `ee` DH is all zero).
 */
export function createResponse(
  ctx: HandshakeContext,
  initiation: AcceptedInitiation,
  localIndex: number,
  now: number,
): { ok: true; frame: Uint8Array; handshake: ResponderHandshake } | HandshakeFailure {
  if (initiation.done) return fail('consumed');
  initiation.done = true;
  let msg: Uint8Array;
  try {
    msg = initiation.hs.writeMessage(EMPTY); // e (32) ‖ sealed s (48) ‖ sealed payload (16)
  } catch {
    initiation.hs.clean();
    return fail('low-order');
  }
  const frame = encodeHandshakeResponse({
    senderIndex: localIndex,
    receiverIndex: initiation.remoteIndex,
    ephemeral: msg.subarray(0, KEY_SIZE),
    encryptedStatic: msg.subarray(KEY_SIZE, 2 * KEY_SIZE + TAG_SIZE),
    encryptedPayload: msg.subarray(2 * KEY_SIZE + TAG_SIZE),
    mac1: ZERO_MAC,
    mac2: ZERO_MAC,
  });
  const cookie = new CookieGenerator(ctx.keys);
  cookie.addMacs(frame, now);
  return {
    ok: true,
    frame,
    handshake: {
      role: 'responder',
      localIndex,
      remoteIndex: initiation.remoteIndex,
      createdAt: now,
      cookie,
      lastFrame: frame,
      hs: initiation.hs,
      done: false,
    },
  };
}

/** Returns the receiver index of a frame that passed checkHandshakeResponse (finds the initiator). */
export function readResponseReceiverIndex(frame: Uint8Array): number {
  return readU32(frame, RESPONSE_OFFSET_RECEIVER);
}

/**
 * Consumes message 2 on the pending initiation it names. On success the responder is
 * authenticated (its Ed25519 key is in the result) and the pending initiation is spent.
 */
export function consumeResponse(
  ctx: HandshakeContext,
  handshake: InitiatorHandshake,
  frame: Uint8Array,
  opts: ReceiveOptions,
): { ok: true; handshake: InitiatorAfterResponse } | HandshakeFailure {
  if (checkHandshakeResponse(frame)) return fail('malformed');
  if (readU32(frame, RESPONSE_OFFSET_RECEIVER) !== handshake.localIndex) return fail('wrong-index');
  if (handshake.done) return fail('consumed');
  if (expired(handshake.createdAt, opts.now)) return fail('expired');
  const senderIndex = readU32(frame, RESPONSE_OFFSET_SENDER);
  const macs = checkMacs(ctx, frame, senderIndex, opts);
  if (macs) return macs;
  const r = handshake.hs.readMessage(frame.subarray(RESPONSE_OFFSET_EPHEMERAL, RESPONSE_OFFSET_MAC1));
  if (!r.ok) return fail(r.reason);
  const peer = handshake.hs.remoteStatic!;
  if (equalBytes(peer, ctx.identity.publicKey)) {
    handshake.done = true;
    handshake.hs.clean();
    return fail('self');
  }
  handshake.done = true;
  return {
    ok: true,
    handshake: {
      role: 'initiator-responded',
      localIndex: handshake.localIndex,
      remoteIndex: senderIndex,
      peerPublicKey: Uint8Array.from(peer),
      hs: handshake.hs,
      cookie: handshake.cookie,
      done: false,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Message 3 (frame 7): `-> s, se`
// ---------------------------------------------------------------------------------------------

/** Creates message 3 and the initiator's keypair; the initiator may send on it at once. */
export function createFinish(
  _ctx: HandshakeContext,
  handshake: InitiatorAfterResponse,
  now: number,
): { frame: Uint8Array; keypair: Keypair } {
  if (handshake.done) throw new Error('handshake already finished');
  handshake.done = true;
  const msg = handshake.hs.writeMessage(EMPTY); // sealed s (48) ‖ sealed payload (16)
  const frame = encodeHandshakeFinish({
    receiverIndex: handshake.remoteIndex,
    encryptedStatic: msg.subarray(0, KEY_SIZE + TAG_SIZE),
    encryptedPayload: msg.subarray(KEY_SIZE + TAG_SIZE),
    mac1: ZERO_MAC,
    mac2: ZERO_MAC,
  });
  handshake.cookie.addMacs(frame, now);
  const keypair = makeKeypair(handshake.hs, handshake.localIndex, handshake.remoteIndex, true, now);
  return { frame, keypair };
}

/** Returns the receiver index of a frame that passed checkHandshakeFinish (finds the responder). */
export function readFinishReceiverIndex(frame: Uint8Array): number {
  return readU32(frame, FINISH_OFFSET_RECEIVER);
}

/**
 * Consumes message 3 on the pending response it names and returns the responder's keypair; the
 * initiator is then authenticated. No mac2 is asked for even under load: the only DH here (`se`)
 * runs after the static key's tag verified, and that tag needs keys from this handshake's own
 * message 2, so garbage costs an HMAC and an AEAD open.
 */
export function consumeFinish(
  ctx: HandshakeContext,
  handshake: ResponderHandshake,
  frame: Uint8Array,
  opts: Pick<ReceiveOptions, 'now'>,
): { ok: true; keypair: Keypair } | HandshakeFailure {
  if (checkHandshakeFinish(frame)) return fail('malformed');
  if (readU32(frame, FINISH_OFFSET_RECEIVER) !== handshake.localIndex) return fail('wrong-index');
  if (handshake.done) return fail('consumed');
  if (expired(handshake.createdAt, opts.now)) return fail('expired');
  if (!checkMac1(ctx.keys, frame)) return fail('bad-mac1');
  const r = handshake.hs.readMessage(frame.subarray(FINISH_OFFSET_STATIC, FINISH_OFFSET_MAC1));
  if (!r.ok) return fail(r.reason);
  handshake.done = true;
  if (equalBytes(handshake.hs.remoteStatic!, ctx.identity.publicKey)) {
    handshake.hs.clean();
    return fail('self');
  }
  return {
    ok: true,
    keypair: makeKeypair(handshake.hs, handshake.localIndex, handshake.remoteIndex, false, opts.now),
  };
}

// ---------------------------------------------------------------------------------------------
// Cookies, retransmission, abandonment
// ---------------------------------------------------------------------------------------------

/**
 * Returns the pending handshake's last frame with MACs recomputed at `now`: after a CookieReply was
 * taken in by `handshake.cookie.consumeReply`, this carries mac2. Undefined once the handshake is done.
 */
export function retransmit(
  handshake: InitiatorHandshake | ResponderHandshake,
  now: number,
): Uint8Array | undefined {
  if (handshake.done) return undefined;
  const frame = Uint8Array.from(handshake.lastFrame);
  handshake.cookie.addMacs(frame, now);
  return frame;
}

/** Wipes a pending handshake's secrets; later consume calls on it fail with 'consumed'. */
export function abandonHandshake(handshake: { hs: HandshakeState; done: boolean }): void {
  handshake.done = true;
  handshake.hs.clean();
}

function expired(createdAt: number, now: number): boolean {
  return now - createdAt > HANDSHAKE_PENDING_TIMEOUT_MS || now < createdAt;
}

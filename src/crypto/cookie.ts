/**
 * mac1, mac2 and CookieReply, after WireGuard's cookie.go (docs/protocol/link-handshake.md §MACs).
 *
 * - mac1 = HMAC-SHA256(mac1Key, frame[0..mac1))[0..16]: any member of the network can compute it,
 *   so it costs a flood from outside the network one HMAC per datagram, before any DH.
 * - Under load the receiver also wants mac2 = HMAC-SHA256(cookie, frame[0..mac2))[0..16], where
 *   cookie = HMAC-SHA256(secret, source)[0..16], the secret is random and replaced every
 *   COOKIE_REFRESH_MS, and `source` is the sender's underlay address and port. Without a valid
 *   mac2 the receiver answers with a CookieReply and does no DH; the sender, by receiving the
 *   cookie at its source address, proves it is not spoofing it.
 * - The cookie travels sealed: nonce = 24 random bytes, key = HMAC-SHA256(cookieKey, nonce),
 *   ChaCha20-Poly1305 with nonce 0 (each key seals exactly one message), AD = the mac1 of the
 *   message being answered. Deriving a key per reply keeps WireGuard's 24-byte random nonce (and
 *   its 64-byte frame) without XChaCha20, which node:crypto lacks.
 *
 * Sans-IO: times are the caller's `now`; randomness comes from the injected `randomBytes`.
 */

import {
  COOKIE_OFFSET_COOKIE,
  COOKIE_OFFSET_NONCE,
  COOKIE_OFFSET_RECEIVER,
  COOKIE_REPLY_SIZE,
} from '../wire/link/constants.js';
import { checkCookieReply, encodeCookieReply, handshakeMacOffsets } from '../wire/link/index.js';
import { aeadKey, open, seal } from './aead.js';
import { COOKIE_LEN, COOKIE_NONCE_LEN, COOKIE_REFRESH_MS, MAC_LEN } from './constants.js';
import { clean, equalBytes, hmacSha256 } from './kdf.js';
import type { NetworkKeys } from './network-key.js';

/** How long an initiator keeps using a cookie: a little less than the secret it came from lives. */
const COOKIE_USE_MS = COOKIE_REFRESH_MS - 5_000;

function mac(key: Uint8Array, data: Uint8Array): Uint8Array {
  const full = hmacSha256(key, data);
  const out = full.slice(0, MAC_LEN);
  clean(full);
  return out;
}

/** Returns mac1 of a handshake frame (its bytes before the mac1 field), or undefined for another type. */
export function computeMac1(keys: NetworkKeys, frame: Uint8Array): Uint8Array | undefined {
  const at = handshakeMacOffsets(frame[0] ?? -1);
  if (!at || frame.length < at.mac2 + MAC_LEN) return undefined;
  return mac(keys.mac1Key, frame.subarray(0, at.mac1));
}

/** True when the frame's mac1 is right. Costs one HMAC; call before any other work on the frame. */
export function checkMac1(keys: NetworkKeys, frame: Uint8Array): boolean {
  const at = handshakeMacOffsets(frame[0] ?? -1);
  const want = computeMac1(keys, frame);
  if (!at || !want) return false;
  return equalBytes(want, frame.subarray(at.mac1, at.mac1 + MAC_LEN));
}

/** Returns the bytes a cookie is bound to: the source IP (4 or 16 bytes) then the port, big-endian. */
export function endpointBytes(ip: Uint8Array, port: number): Uint8Array {
  if (ip.length !== 4 && ip.length !== 16) throw new RangeError(`ip must be 4 or 16 bytes, got ${ip.length}`);
  if (!Number.isInteger(port) || port < 0 || port > 0xffff)
    throw new RangeError(`port out of range: ${port}`);
  const out = new Uint8Array(ip.length + 2);
  out.set(ip);
  out[ip.length] = port >>> 8;
  out[ip.length + 1] = port & 0xff;
  return out;
}

function replyKey(keys: NetworkKeys, nonce: Uint8Array) {
  const raw = hmacSha256(keys.cookieKey, nonce);
  const key = aeadKey('chacha20-poly1305', raw);
  clean(raw);
  return key;
}

/** The receiving side: checks mac2 and makes CookieReplies. One per node. */
export class CookieChecker {
  private secret: Uint8Array | undefined;
  private secretSetAt = 0;

  constructor(
    private readonly keys: NetworkKeys,
    private readonly randomBytes: (n: number) => Uint8Array,
  ) {}

  private cookieFor(source: Uint8Array, now: number): Uint8Array {
    if (!this.secret || now - this.secretSetAt >= COOKIE_REFRESH_MS || now < this.secretSetAt) {
      clean(this.secret);
      this.secret = this.randomBytes(32);
      this.secretSetAt = now;
    }
    return mac(this.secret, source);
  }

  /** True when the frame's mac2 matches the cookie its source would get now. */
  checkMac2(frame: Uint8Array, source: Uint8Array, now: number): boolean {
    const at = handshakeMacOffsets(frame[0] ?? -1);
    if (!at || frame.length < at.mac2 + MAC_LEN) return false;
    const cookie = this.cookieFor(source, now);
    const want = mac(cookie, frame.subarray(0, at.mac2));
    clean(cookie);
    return equalBytes(want, frame.subarray(at.mac2, at.mac2 + MAC_LEN));
  }

  /** Builds the CookieReply answering `frame` (whose sender index is `senderIndex`) from `source`. */
  createReply(frame: Uint8Array, senderIndex: number, source: Uint8Array, now: number): Uint8Array {
    const at = handshakeMacOffsets(frame[0] ?? -1);
    if (!at || frame.length < at.mac2 + MAC_LEN) throw new RangeError('not a handshake frame');
    const cookie = this.cookieFor(source, now);
    const nonce = this.randomBytes(COOKIE_NONCE_LEN);
    const sealed = seal(replyKey(this.keys, nonce), 0, frame.subarray(at.mac1, at.mac1 + MAC_LEN), cookie);
    clean(cookie);
    return encodeCookieReply({ receiverIndex: senderIndex, nonce, encryptedCookie: sealed });
  }
}

/** The sending side of one handshake: writes mac1/mac2 and takes in a CookieReply. */
export class CookieGenerator {
  private cookie: Uint8Array | undefined;
  private cookieSetAt = 0;
  /** The mac1 of the last frame sent, while a reply to it is still acceptable. */
  private lastMac1: Uint8Array | undefined;

  constructor(private readonly keys: NetworkKeys) {}

  /** Writes mac1, and mac2 when a fresh cookie is held (zero otherwise), into `frame` in place. */
  addMacs(frame: Uint8Array, now: number): void {
    const at = handshakeMacOffsets(frame[0] ?? -1);
    if (!at || frame.length < at.mac2 + MAC_LEN) throw new RangeError('not a handshake frame');
    const m1 = mac(this.keys.mac1Key, frame.subarray(0, at.mac1));
    frame.set(m1, at.mac1);
    this.lastMac1 = m1;
    if (this.cookie && now - this.cookieSetAt < COOKIE_USE_MS && now >= this.cookieSetAt) {
      frame.set(mac(this.cookie, frame.subarray(0, at.mac2)), at.mac2);
    } else {
      frame.fill(0, at.mac2, at.mac2 + MAC_LEN);
    }
  }

  /** True when a cookie is held that addMacs would use at `now`. */
  hasCookie(now: number): boolean {
    return this.cookie !== undefined && now - this.cookieSetAt < COOKIE_USE_MS && now >= this.cookieSetAt;
  }

  /**
   * Takes in a CookieReply answering the last frame sent; returns false (and changes nothing) when
   * it is malformed, does not authenticate, or a reply to that frame was already taken.
   */
  consumeReply(reply: Uint8Array, now: number): boolean {
    if (checkCookieReply(reply) || reply.length !== COOKIE_REPLY_SIZE || !this.lastMac1) return false;
    const nonce = reply.subarray(COOKIE_OFFSET_NONCE, COOKIE_OFFSET_COOKIE);
    const cookie = open(replyKey(this.keys, nonce), 0, this.lastMac1, reply.subarray(COOKIE_OFFSET_COOKIE));
    if (!cookie || cookie.length !== COOKIE_LEN) return false;
    clean(this.cookie);
    this.cookie = new Uint8Array(cookie);
    cookie.fill(0);
    this.cookieSetAt = now;
    this.lastMac1 = undefined;
    return true;
  }
}

/** Reads the receiver index of a CookieReply that passed checkCookieReply. */
export function readCookieReceiverIndex(reply: Uint8Array): number {
  return (
    ((reply[COOKIE_OFFSET_RECEIVER]! << 24) |
      (reply[COOKIE_OFFSET_RECEIVER + 1]! << 16) |
      (reply[COOKIE_OFFSET_RECEIVER + 2]! << 8) |
      reply[COOKIE_OFFSET_RECEIVER + 3]!) >>>
    0
  );
}

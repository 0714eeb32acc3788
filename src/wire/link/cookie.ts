/**
 * Frame 3: CookieReply (64 bytes). A node under a handshake flood answers a handshake message with
 * this instead of doing Diffie-Hellman work; the sender retries with mac2 keyed by the cookie, which
 * proves it receives at its source address. The cookie's derivation and sealing (a per-reply
 * ChaCha20-Poly1305 key derived from the 24-byte nonce) belong to src/crypto/cookie.ts.
 */
import { checkBytes, checkU32, readU32, writeU32 } from './_bytes.js';
import { checkFixedSessionFrame, writeSessionPrefix } from './_header.js';
import {
  COOKIE_ENCRYPTED_SIZE,
  COOKIE_NONCE_SIZE,
  COOKIE_OFFSET_COOKIE,
  COOKIE_OFFSET_NONCE,
  COOKIE_OFFSET_RECEIVER,
  COOKIE_REPLY_SIZE,
  FrameType,
} from './constants.js';
import type { CookieReply, LinkDecodeError, LinkDecodeResult } from './types.js';

/** Returns why `frame` is not a well-formed CookieReply, or undefined if it is one. */
export function checkCookieReply(frame: Uint8Array): LinkDecodeError | undefined {
  return checkFixedSessionFrame(frame, FrameType.CookieReply, COOKIE_REPLY_SIZE);
}

/** Encodes a CookieReply into a new 64-byte frame. */
export function encodeCookieReply(msg: Omit<CookieReply, 'type'>): Uint8Array {
  checkU32('receiverIndex', msg.receiverIndex);
  checkBytes('nonce', msg.nonce, COOKIE_NONCE_SIZE);
  checkBytes('encryptedCookie', msg.encryptedCookie, COOKIE_ENCRYPTED_SIZE);
  const out = new Uint8Array(COOKIE_REPLY_SIZE);
  writeSessionPrefix(out, 0, FrameType.CookieReply);
  writeU32(out, COOKIE_OFFSET_RECEIVER, msg.receiverIndex);
  out.set(msg.nonce, COOKIE_OFFSET_NONCE);
  out.set(msg.encryptedCookie, COOKIE_OFFSET_COOKIE);
  return out;
}

/** Decodes a CookieReply; byte fields are views into `frame`. Never throws. */
export function decodeCookieReply(frame: Uint8Array): LinkDecodeResult<CookieReply> {
  const error = checkCookieReply(frame);
  if (error) return { ok: false, error };
  return {
    ok: true,
    value: {
      type: FrameType.CookieReply,
      receiverIndex: readU32(frame, COOKIE_OFFSET_RECEIVER),
      nonce: frame.subarray(COOKIE_OFFSET_NONCE, COOKIE_OFFSET_COOKIE),
      encryptedCookie: frame.subarray(COOKIE_OFFSET_COOKIE, COOKIE_REPLY_SIZE),
    },
  };
}

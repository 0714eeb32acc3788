/**
 * Frames 1, 2 and 7: the three messages of the link handshake, Noise XXpsk0
 * (docs/protocol/link-handshake.md): HandshakeInitiation (`-> psk, e`, 88 bytes),
 * HandshakeResponse (`<- e, ee, s, es`, 140 bytes) and HandshakeFinish (`-> s, se`, 104 bytes).
 * This file only moves bytes; src/crypto/handshake.ts fills the encrypted fields and the MACs.
 *
 * Each frame ends with mac1 then mac2. mac1 covers every byte before *_OFFSET_MAC1 and mac2 every
 * byte before *_OFFSET_MAC2, so the crypto layer computes both on the encoded frame in place.
 */
import { checkBytes, checkU32, readU32, writeU32 } from './_bytes.js';
import { checkFixedSessionFrame, writeSessionPrefix } from './_header.js';
import {
  ENCRYPTED_STATIC_SIZE,
  FINISH_ENCRYPTED_PAYLOAD_SIZE,
  FINISH_OFFSET_MAC1,
  FINISH_OFFSET_MAC2,
  FINISH_OFFSET_PAYLOAD,
  FINISH_OFFSET_RECEIVER,
  FINISH_OFFSET_STATIC,
  FINISH_SIZE,
  FrameType,
  INITIATION_ENCRYPTED_PAYLOAD_SIZE,
  INITIATION_OFFSET_EPHEMERAL,
  INITIATION_OFFSET_MAC1,
  INITIATION_OFFSET_MAC2,
  INITIATION_OFFSET_PAYLOAD,
  INITIATION_OFFSET_SENDER,
  INITIATION_SIZE,
  KEY_SIZE,
  MAC_SIZE,
  RESPONSE_ENCRYPTED_PAYLOAD_SIZE,
  RESPONSE_OFFSET_EPHEMERAL,
  RESPONSE_OFFSET_MAC1,
  RESPONSE_OFFSET_MAC2,
  RESPONSE_OFFSET_PAYLOAD,
  RESPONSE_OFFSET_RECEIVER,
  RESPONSE_OFFSET_SENDER,
  RESPONSE_OFFSET_STATIC,
  RESPONSE_SIZE,
} from './constants.js';
import type {
  HandshakeFinish,
  HandshakeInitiation,
  HandshakeResponse,
  LinkDecodeError,
  LinkDecodeResult,
} from './types.js';

// --- 1 HandshakeInitiation -------------------------------------------------------------------

/** Returns why `frame` is not a well-formed HandshakeInitiation, or undefined if it is one. */
export function checkHandshakeInitiation(frame: Uint8Array): LinkDecodeError | undefined {
  return checkFixedSessionFrame(frame, FrameType.HandshakeInitiation, INITIATION_SIZE);
}

/** Encodes a HandshakeInitiation into a new 88-byte frame. */
export function encodeHandshakeInitiation(msg: Omit<HandshakeInitiation, 'type'>): Uint8Array {
  checkU32('senderIndex', msg.senderIndex);
  checkBytes('ephemeral', msg.ephemeral, KEY_SIZE);
  checkBytes('encryptedPayload', msg.encryptedPayload, INITIATION_ENCRYPTED_PAYLOAD_SIZE);
  checkBytes('mac1', msg.mac1, MAC_SIZE);
  checkBytes('mac2', msg.mac2, MAC_SIZE);
  const out = new Uint8Array(INITIATION_SIZE);
  writeSessionPrefix(out, 0, FrameType.HandshakeInitiation);
  writeU32(out, INITIATION_OFFSET_SENDER, msg.senderIndex);
  out.set(msg.ephemeral, INITIATION_OFFSET_EPHEMERAL);
  out.set(msg.encryptedPayload, INITIATION_OFFSET_PAYLOAD);
  out.set(msg.mac1, INITIATION_OFFSET_MAC1);
  out.set(msg.mac2, INITIATION_OFFSET_MAC2);
  return out;
}

/** Decodes a HandshakeInitiation; byte fields are views into `frame`. Never throws. */
export function decodeHandshakeInitiation(frame: Uint8Array): LinkDecodeResult<HandshakeInitiation> {
  const error = checkHandshakeInitiation(frame);
  if (error) return { ok: false, error };
  return {
    ok: true,
    value: {
      type: FrameType.HandshakeInitiation,
      senderIndex: readU32(frame, INITIATION_OFFSET_SENDER),
      ephemeral: frame.subarray(INITIATION_OFFSET_EPHEMERAL, INITIATION_OFFSET_PAYLOAD),
      encryptedPayload: frame.subarray(INITIATION_OFFSET_PAYLOAD, INITIATION_OFFSET_MAC1),
      mac1: frame.subarray(INITIATION_OFFSET_MAC1, INITIATION_OFFSET_MAC2),
      mac2: frame.subarray(INITIATION_OFFSET_MAC2, INITIATION_SIZE),
    },
  };
}

// --- 2 HandshakeResponse ---------------------------------------------------------------------

/** Returns why `frame` is not a well-formed HandshakeResponse, or undefined if it is one. */
export function checkHandshakeResponse(frame: Uint8Array): LinkDecodeError | undefined {
  return checkFixedSessionFrame(frame, FrameType.HandshakeResponse, RESPONSE_SIZE);
}

/** Encodes a HandshakeResponse into a new 140-byte frame. */
export function encodeHandshakeResponse(msg: Omit<HandshakeResponse, 'type'>): Uint8Array {
  checkU32('senderIndex', msg.senderIndex);
  checkU32('receiverIndex', msg.receiverIndex);
  checkBytes('ephemeral', msg.ephemeral, KEY_SIZE);
  checkBytes('encryptedStatic', msg.encryptedStatic, ENCRYPTED_STATIC_SIZE);
  checkBytes('encryptedPayload', msg.encryptedPayload, RESPONSE_ENCRYPTED_PAYLOAD_SIZE);
  checkBytes('mac1', msg.mac1, MAC_SIZE);
  checkBytes('mac2', msg.mac2, MAC_SIZE);
  const out = new Uint8Array(RESPONSE_SIZE);
  writeSessionPrefix(out, 0, FrameType.HandshakeResponse);
  writeU32(out, RESPONSE_OFFSET_SENDER, msg.senderIndex);
  writeU32(out, RESPONSE_OFFSET_RECEIVER, msg.receiverIndex);
  out.set(msg.ephemeral, RESPONSE_OFFSET_EPHEMERAL);
  out.set(msg.encryptedStatic, RESPONSE_OFFSET_STATIC);
  out.set(msg.encryptedPayload, RESPONSE_OFFSET_PAYLOAD);
  out.set(msg.mac1, RESPONSE_OFFSET_MAC1);
  out.set(msg.mac2, RESPONSE_OFFSET_MAC2);
  return out;
}

/** Decodes a HandshakeResponse; byte fields are views into `frame`. Never throws. */
export function decodeHandshakeResponse(frame: Uint8Array): LinkDecodeResult<HandshakeResponse> {
  const error = checkHandshakeResponse(frame);
  if (error) return { ok: false, error };
  return {
    ok: true,
    value: {
      type: FrameType.HandshakeResponse,
      senderIndex: readU32(frame, RESPONSE_OFFSET_SENDER),
      receiverIndex: readU32(frame, RESPONSE_OFFSET_RECEIVER),
      ephemeral: frame.subarray(RESPONSE_OFFSET_EPHEMERAL, RESPONSE_OFFSET_STATIC),
      encryptedStatic: frame.subarray(RESPONSE_OFFSET_STATIC, RESPONSE_OFFSET_PAYLOAD),
      encryptedPayload: frame.subarray(RESPONSE_OFFSET_PAYLOAD, RESPONSE_OFFSET_MAC1),
      mac1: frame.subarray(RESPONSE_OFFSET_MAC1, RESPONSE_OFFSET_MAC2),
      mac2: frame.subarray(RESPONSE_OFFSET_MAC2, RESPONSE_SIZE),
    },
  };
}

// --- 7 HandshakeFinish -----------------------------------------------------------------------

/** Returns why `frame` is not a well-formed HandshakeFinish, or undefined if it is one. */
export function checkHandshakeFinish(frame: Uint8Array): LinkDecodeError | undefined {
  return checkFixedSessionFrame(frame, FrameType.HandshakeFinish, FINISH_SIZE);
}

/** Encodes a HandshakeFinish into a new 104-byte frame. */
export function encodeHandshakeFinish(msg: Omit<HandshakeFinish, 'type'>): Uint8Array {
  checkU32('receiverIndex', msg.receiverIndex);
  checkBytes('encryptedStatic', msg.encryptedStatic, ENCRYPTED_STATIC_SIZE);
  checkBytes('encryptedPayload', msg.encryptedPayload, FINISH_ENCRYPTED_PAYLOAD_SIZE);
  checkBytes('mac1', msg.mac1, MAC_SIZE);
  checkBytes('mac2', msg.mac2, MAC_SIZE);
  const out = new Uint8Array(FINISH_SIZE);
  writeSessionPrefix(out, 0, FrameType.HandshakeFinish);
  writeU32(out, FINISH_OFFSET_RECEIVER, msg.receiverIndex);
  out.set(msg.encryptedStatic, FINISH_OFFSET_STATIC);
  out.set(msg.encryptedPayload, FINISH_OFFSET_PAYLOAD);
  out.set(msg.mac1, FINISH_OFFSET_MAC1);
  out.set(msg.mac2, FINISH_OFFSET_MAC2);
  return out;
}

/** Decodes a HandshakeFinish; byte fields are views into `frame`. Never throws. */
export function decodeHandshakeFinish(frame: Uint8Array): LinkDecodeResult<HandshakeFinish> {
  const error = checkHandshakeFinish(frame);
  if (error) return { ok: false, error };
  return {
    ok: true,
    value: {
      type: FrameType.HandshakeFinish,
      receiverIndex: readU32(frame, FINISH_OFFSET_RECEIVER),
      encryptedStatic: frame.subarray(FINISH_OFFSET_STATIC, FINISH_OFFSET_PAYLOAD),
      encryptedPayload: frame.subarray(FINISH_OFFSET_PAYLOAD, FINISH_OFFSET_MAC1),
      mac1: frame.subarray(FINISH_OFFSET_MAC1, FINISH_OFFSET_MAC2),
      mac2: frame.subarray(FINISH_OFFSET_MAC2, FINISH_SIZE),
    },
  };
}

/** Returns the offsets of mac1 and mac2 in a handshake frame of `type`, or undefined for other types. */
export function handshakeMacOffsets(type: number): { mac1: number; mac2: number } | undefined {
  switch (type) {
    case FrameType.HandshakeInitiation:
      return { mac1: INITIATION_OFFSET_MAC1, mac2: INITIATION_OFFSET_MAC2 };
    case FrameType.HandshakeResponse:
      return { mac1: RESPONSE_OFFSET_MAC1, mac2: RESPONSE_OFFSET_MAC2 };
    case FrameType.HandshakeFinish:
      return { mac1: FINISH_OFFSET_MAC1, mac2: FINISH_OFFSET_MAC2 };
    default:
      return undefined;
  }
}

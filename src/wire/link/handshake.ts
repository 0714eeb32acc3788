/**
 * Frames 1 and 2: the two handshake messages, laid out like WireGuard's (148 and 92 bytes) with
 * big-endian indexes. This file only moves bytes; the Noise construction that fills the encrypted
 * fields and both MACs belongs to src/crypto/.
 *
 * mac1 covers every byte before INITIATION_OFFSET_MAC1 / RESPONSE_OFFSET_MAC1, and mac2 every byte
 * before the *_OFFSET_MAC2 offsets, so the crypto layer can compute them on the encoded frame.
 */
import { checkBytes, checkU32, readU32, writeU32 } from './_bytes.js';
import { checkFixedSessionFrame, writeSessionPrefix } from './_header.js';
import {
  FrameType,
  INITIATION_ENCRYPTED_STATIC_SIZE,
  INITIATION_ENCRYPTED_TIMESTAMP_SIZE,
  INITIATION_OFFSET_EPHEMERAL,
  INITIATION_OFFSET_MAC1,
  INITIATION_OFFSET_MAC2,
  INITIATION_OFFSET_SENDER,
  INITIATION_OFFSET_STATIC,
  INITIATION_OFFSET_TIMESTAMP,
  INITIATION_SIZE,
  KEY_SIZE,
  MAC_SIZE,
  RESPONSE_ENCRYPTED_NOTHING_SIZE,
  RESPONSE_OFFSET_EMPTY,
  RESPONSE_OFFSET_EPHEMERAL,
  RESPONSE_OFFSET_MAC1,
  RESPONSE_OFFSET_MAC2,
  RESPONSE_OFFSET_RECEIVER,
  RESPONSE_OFFSET_SENDER,
  RESPONSE_SIZE,
} from './constants.js';
import type { HandshakeInitiation, HandshakeResponse, LinkDecodeError, LinkDecodeResult } from './types.js';

/** Returns why `frame` is not a well-formed HandshakeInitiation, or undefined if it is one. */
export function checkHandshakeInitiation(frame: Uint8Array): LinkDecodeError | undefined {
  return checkFixedSessionFrame(frame, FrameType.HandshakeInitiation, INITIATION_SIZE);
}

/** Encodes a HandshakeInitiation into a new 148-byte frame. */
export function encodeHandshakeInitiation(msg: Omit<HandshakeInitiation, 'type'>): Uint8Array {
  checkU32('senderIndex', msg.senderIndex);
  checkBytes('ephemeral', msg.ephemeral, KEY_SIZE);
  checkBytes('encryptedStatic', msg.encryptedStatic, INITIATION_ENCRYPTED_STATIC_SIZE);
  checkBytes('encryptedTimestamp', msg.encryptedTimestamp, INITIATION_ENCRYPTED_TIMESTAMP_SIZE);
  checkBytes('mac1', msg.mac1, MAC_SIZE);
  checkBytes('mac2', msg.mac2, MAC_SIZE);
  const out = new Uint8Array(INITIATION_SIZE);
  writeSessionPrefix(out, 0, FrameType.HandshakeInitiation);
  writeU32(out, INITIATION_OFFSET_SENDER, msg.senderIndex);
  out.set(msg.ephemeral, INITIATION_OFFSET_EPHEMERAL);
  out.set(msg.encryptedStatic, INITIATION_OFFSET_STATIC);
  out.set(msg.encryptedTimestamp, INITIATION_OFFSET_TIMESTAMP);
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
      ephemeral: frame.subarray(INITIATION_OFFSET_EPHEMERAL, INITIATION_OFFSET_STATIC),
      encryptedStatic: frame.subarray(INITIATION_OFFSET_STATIC, INITIATION_OFFSET_TIMESTAMP),
      encryptedTimestamp: frame.subarray(INITIATION_OFFSET_TIMESTAMP, INITIATION_OFFSET_MAC1),
      mac1: frame.subarray(INITIATION_OFFSET_MAC1, INITIATION_OFFSET_MAC2),
      mac2: frame.subarray(INITIATION_OFFSET_MAC2, INITIATION_SIZE),
    },
  };
}

/** Returns why `frame` is not a well-formed HandshakeResponse, or undefined if it is one. */
export function checkHandshakeResponse(frame: Uint8Array): LinkDecodeError | undefined {
  return checkFixedSessionFrame(frame, FrameType.HandshakeResponse, RESPONSE_SIZE);
}

/** Encodes a HandshakeResponse into a new 92-byte frame. */
export function encodeHandshakeResponse(msg: Omit<HandshakeResponse, 'type'>): Uint8Array {
  checkU32('senderIndex', msg.senderIndex);
  checkU32('receiverIndex', msg.receiverIndex);
  checkBytes('ephemeral', msg.ephemeral, KEY_SIZE);
  checkBytes('encryptedNothing', msg.encryptedNothing, RESPONSE_ENCRYPTED_NOTHING_SIZE);
  checkBytes('mac1', msg.mac1, MAC_SIZE);
  checkBytes('mac2', msg.mac2, MAC_SIZE);
  const out = new Uint8Array(RESPONSE_SIZE);
  writeSessionPrefix(out, 0, FrameType.HandshakeResponse);
  writeU32(out, RESPONSE_OFFSET_SENDER, msg.senderIndex);
  writeU32(out, RESPONSE_OFFSET_RECEIVER, msg.receiverIndex);
  out.set(msg.ephemeral, RESPONSE_OFFSET_EPHEMERAL);
  out.set(msg.encryptedNothing, RESPONSE_OFFSET_EMPTY);
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
      ephemeral: frame.subarray(RESPONSE_OFFSET_EPHEMERAL, RESPONSE_OFFSET_EMPTY),
      encryptedNothing: frame.subarray(RESPONSE_OFFSET_EMPTY, RESPONSE_OFFSET_MAC1),
      mac1: frame.subarray(RESPONSE_OFFSET_MAC1, RESPONSE_OFFSET_MAC2),
      mac2: frame.subarray(RESPONSE_OFFSET_MAC2, RESPONSE_SIZE),
    },
  };
}

/**
 * Frame 4: Transport, a message on an established link session. Header (16 bytes: type, 3 reserved,
 * receiver index, counter) then the AEAD ciphertext of [content type (1) ‖ body] with its 16-byte
 * tag. The receiver index picks the session with one table lookup; the counter is the AEAD nonce and
 * feeds the replay window. Control traffic (Babel) and keepalives travel here; overlay data does not
 * (see data.ts).
 */
import {
  checkBytes,
  checkCounter,
  checkDatagramSize,
  checkInt,
  checkMinBytes,
  checkU32,
  failure,
  isZero,
  readCounter,
  readU32,
  writeCounter,
  writeU32,
} from './_bytes.js';
import { checkTypeByte, SESSION_RESERVED_END, writeSessionPrefix } from './_header.js';
import {
  CONTENT_TYPE_SIZE,
  ContentType,
  FRAME_TYPE_SIZE,
  FrameType,
  MAX_DATAGRAM_SIZE,
  TAG_SIZE,
  TRANSPORT_HEADER_SIZE,
  TRANSPORT_MIN_SIZE,
  TRANSPORT_OFFSET_CONTENT,
  TRANSPORT_OFFSET_COUNTER,
  TRANSPORT_OFFSET_RECEIVER,
} from './constants.js';
import type { LinkDecodeError, LinkDecodeResult, TransportContent, TransportFrame } from './types.js';

/** Returns why `frame` is not a well-formed Transport frame, or undefined if it is one. */
export function checkTransport(frame: Uint8Array): LinkDecodeError | undefined {
  const bad = checkTypeByte(frame, FrameType.Transport);
  if (bad) return bad;
  if (frame.length < TRANSPORT_MIN_SIZE) {
    return failure(
      'truncated',
      frame.length,
      `transport frame needs ${TRANSPORT_MIN_SIZE} bytes, got ${frame.length}`,
    );
  }
  if (!isZero(frame, FRAME_TYPE_SIZE, SESSION_RESERVED_END))
    return failure('bad-reserved', 1, 'reserved bytes not zero');
  if (readCounter(frame, TRANSPORT_OFFSET_COUNTER) < 0) {
    return failure('bad-counter', TRANSPORT_OFFSET_COUNTER, 'counter above 2^53 - 1');
  }
  return undefined;
}

/**
 * Writes the 16-byte Transport header at `buf[offset..]`, in front of a ciphertext the caller seals
 * in place at offset + TRANSPORT_HEADER_SIZE.
 */
export function writeTransportHeader(
  buf: Uint8Array,
  offset: number,
  receiverIndex: number,
  counter: number,
): void {
  checkInt('offset', offset, 0, buf.length - TRANSPORT_HEADER_SIZE);
  checkU32('receiverIndex', receiverIndex);
  checkCounter('counter', counter);
  writeSessionPrefix(buf, offset, FrameType.Transport);
  writeU32(buf, offset + TRANSPORT_OFFSET_RECEIVER, receiverIndex);
  writeCounter(buf, offset + TRANSPORT_OFFSET_COUNTER, counter);
}

/** Encodes a Transport frame into a new array: header then `ciphertext` (tag included). */
export function encodeTransport(msg: Omit<TransportFrame, 'type'>): Uint8Array {
  checkMinBytes('ciphertext', msg.ciphertext, CONTENT_TYPE_SIZE + TAG_SIZE);
  checkDatagramSize('ciphertext', TRANSPORT_HEADER_SIZE + msg.ciphertext.length, MAX_DATAGRAM_SIZE);
  const out = new Uint8Array(TRANSPORT_HEADER_SIZE + msg.ciphertext.length);
  writeTransportHeader(out, 0, msg.receiverIndex, msg.counter);
  out.set(msg.ciphertext, TRANSPORT_OFFSET_CONTENT);
  return out;
}

/** Decodes a Transport frame; `ciphertext` is a view into `frame`. Never throws. */
export function decodeTransport(frame: Uint8Array): LinkDecodeResult<TransportFrame> {
  const error = checkTransport(frame);
  if (error) return { ok: false, error };
  return {
    ok: true,
    value: {
      type: FrameType.Transport,
      receiverIndex: readU32(frame, TRANSPORT_OFFSET_RECEIVER),
      counter: readCounter(frame, TRANSPORT_OFFSET_COUNTER),
      ciphertext: frame.subarray(TRANSPORT_OFFSET_CONTENT),
    },
  };
}

/** Returns the receiver index of a frame that passed checkTransport, without decoding the rest. */
export function readTransportReceiverIndex(frame: Uint8Array): number {
  return readU32(frame, TRANSPORT_OFFSET_RECEIVER);
}

/** Returns the counter of a frame that passed checkTransport. */
export function readTransportCounter(frame: Uint8Array): number {
  return readCounter(frame, TRANSPORT_OFFSET_COUNTER);
}

// --- the plaintext: content type ‖ body ------------------------------------------------------

/** Encodes the plaintext of a Transport frame: the content type byte, then `body`. */
export function encodeTransportContent(contentType: ContentType, body: Uint8Array): Uint8Array {
  checkInt('contentType', contentType, 0, 0xff);
  if (!(body instanceof Uint8Array)) throw new TypeError('body must be a Uint8Array');
  if (contentType === ContentType.Keepalive) checkBytes('body', body, 0);
  checkDatagramSize('body', TRANSPORT_MIN_SIZE + body.length, MAX_DATAGRAM_SIZE);
  const out = new Uint8Array(CONTENT_TYPE_SIZE + body.length);
  out[0] = contentType;
  out.set(body, CONTENT_TYPE_SIZE);
  return out;
}

/**
 * Decodes a decrypted Transport plaintext; `body` is a view into it. Never throws. Offsets in errors
 * count from the start of the plaintext.
 */
export function decodeTransportContent(plaintext: Uint8Array): LinkDecodeResult<TransportContent> {
  if (plaintext.length < CONTENT_TYPE_SIZE) {
    return { ok: false, error: failure('truncated', 0, 'empty plaintext has no content type') };
  }
  const contentType = plaintext[0]!;
  switch (contentType) {
    case ContentType.Keepalive:
      if (plaintext.length !== CONTENT_TYPE_SIZE) {
        return {
          ok: false,
          error: failure('bad-content-length', CONTENT_TYPE_SIZE, 'keepalive with a body'),
        };
      }
      return { ok: true, value: { contentType, body: plaintext.subarray(CONTENT_TYPE_SIZE) } };
    case ContentType.Control:
      return { ok: true, value: { contentType, body: plaintext.subarray(CONTENT_TYPE_SIZE) } };
    default:
      return { ok: false, error: failure('unknown-content', 0, `unknown content type ${contentType}`) };
  }
}

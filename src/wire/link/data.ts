/**
 * Frame 5: Data, an overlay packet as every node on its path sees it.
 *
 *   relay part (40 bytes): type, hop limit, flags, reserved, receiver index, source, destination
 *   end-to-end part:       key id, counter, [sender ephemeral key], ciphertext ‖ tag
 *
 * A relay reads the receiver index (one table lookup finds the link session; no crypto), checks the
 * hop limit and routes on the destination. It rewrites the hop limit and the receiver index in place
 * and sends the same bytes on. Only the destination decrypts. The end-to-end associated data is
 * [DATA_AD_OFFSET, header end): source, destination, key id, counter and the ephemeral key; the two
 * fields relays rewrite lie outside it. The flags byte lies outside it too; it is bound all the same,
 * because the decoder rejects unknown bits and the one known bit moves the AD/ciphertext boundary.
 */
import {
  checkBytes,
  checkCounter,
  checkDatagramSize,
  checkInt,
  checkMinBytes,
  checkU32,
  failure,
  readCounter,
  readU32,
  writeCounter,
  writeU32,
} from './_bytes.js';
import { checkTypeByte } from './_header.js';
import {
  ADDRESS_SIZE,
  DATA_AD_OFFSET,
  DATA_FLAG_EPHEMERAL,
  DATA_FLAGS_KNOWN,
  DATA_HEADER_SIZE,
  DATA_HEADER_SIZE_EPHEMERAL,
  DATA_MIN_SIZE,
  DATA_OFFSET_COUNTER,
  DATA_OFFSET_DESTINATION,
  DATA_OFFSET_EPHEMERAL,
  DATA_OFFSET_FLAGS,
  DATA_OFFSET_HOP_LIMIT,
  DATA_OFFSET_KEY_ID,
  DATA_OFFSET_RECEIVER,
  DATA_OFFSET_RESERVED,
  DATA_OFFSET_SOURCE,
  FrameType,
  KEY_SIZE,
  MAX_DATAGRAM_SIZE,
  TAG_SIZE,
} from './constants.js';
import type { DataFrame, LinkDecodeError, LinkDecodeResult } from './types.js';

/** The fields of a Data header, for writeDataHeader. The caller may reuse one object for every packet. */
export interface DataHeaderFields {
  readonly hopLimit: number;
  readonly receiverIndex: number;
  readonly source: Uint8Array;
  readonly destination: Uint8Array;
  readonly keyId: number;
  readonly counter: number;
  /** Present to set DATA_FLAG_EPHEMERAL and carry the 32-byte key. */
  readonly ephemeral?: Uint8Array | undefined;
}

/** Returns the header length a Data frame with these flags has: 52, or 84 with the ephemeral key. */
export function dataHeaderLength(flags: number): number {
  return (flags & DATA_FLAG_EPHEMERAL) !== 0 ? DATA_HEADER_SIZE_EPHEMERAL : DATA_HEADER_SIZE;
}

/** Returns why `frame` is not a well-formed Data frame, or undefined if it is one. Allocates only on failure. */
export function checkData(frame: Uint8Array): LinkDecodeError | undefined {
  const bad = checkTypeByte(frame, FrameType.Data);
  if (bad) return bad;
  if (frame.length < DATA_MIN_SIZE) {
    return failure('truncated', frame.length, `data frame needs ${DATA_MIN_SIZE} bytes, got ${frame.length}`);
  }
  if (frame[DATA_OFFSET_HOP_LIMIT] === 0)
    return failure('bad-hop-limit', DATA_OFFSET_HOP_LIMIT, 'hop limit 0');
  const flags = frame[DATA_OFFSET_FLAGS]!;
  if ((flags & ~DATA_FLAGS_KNOWN) !== 0) {
    return failure(
      'bad-flags',
      DATA_OFFSET_FLAGS,
      `unknown flag bits 0x${(flags & ~DATA_FLAGS_KNOWN).toString(16)}`,
    );
  }
  if (frame[DATA_OFFSET_RESERVED] !== 0)
    return failure('bad-reserved', DATA_OFFSET_RESERVED, 'reserved byte not zero');
  const min = dataHeaderLength(flags) + TAG_SIZE;
  if (frame.length < min) {
    return failure(
      'truncated',
      frame.length,
      `data frame with ephemeral key needs ${min} bytes, got ${frame.length}`,
    );
  }
  if (readCounter(frame, DATA_OFFSET_COUNTER) < 0) {
    return failure('bad-counter', DATA_OFFSET_COUNTER, 'counter above 2^53 - 1');
  }
  return undefined;
}

/**
 * Writes a Data header at `buf[offset..]` and returns its length (52 or 84). The caller seals the
 * inner packet in place right after it, using dataAssociatedData on the finished frame.
 */
export function writeDataHeader(buf: Uint8Array, offset: number, h: DataHeaderFields): number {
  checkInt('hopLimit', h.hopLimit, 1, 0xff);
  checkU32('receiverIndex', h.receiverIndex);
  checkBytes('source', h.source, ADDRESS_SIZE);
  checkBytes('destination', h.destination, ADDRESS_SIZE);
  checkU32('keyId', h.keyId);
  checkCounter('counter', h.counter);
  if (h.ephemeral !== undefined) checkBytes('ephemeral', h.ephemeral, KEY_SIZE);
  const flags = h.ephemeral !== undefined ? DATA_FLAG_EPHEMERAL : 0;
  const length = dataHeaderLength(flags);
  checkInt('offset', offset, 0, buf.length - length);
  buf[offset] = FrameType.Data;
  buf[offset + DATA_OFFSET_HOP_LIMIT] = h.hopLimit;
  buf[offset + DATA_OFFSET_FLAGS] = flags;
  buf[offset + DATA_OFFSET_RESERVED] = 0;
  writeU32(buf, offset + DATA_OFFSET_RECEIVER, h.receiverIndex);
  buf.set(h.source, offset + DATA_OFFSET_SOURCE);
  buf.set(h.destination, offset + DATA_OFFSET_DESTINATION);
  writeU32(buf, offset + DATA_OFFSET_KEY_ID, h.keyId);
  writeCounter(buf, offset + DATA_OFFSET_COUNTER, h.counter);
  if (h.ephemeral !== undefined) buf.set(h.ephemeral, offset + DATA_OFFSET_EPHEMERAL);
  return length;
}

/** Encodes a Data frame into a new array. The flags byte follows from whether `ephemeral` is present. */
export function encodeData(msg: DataHeaderFields & { readonly ciphertext: Uint8Array }): Uint8Array {
  checkMinBytes('ciphertext', msg.ciphertext, TAG_SIZE);
  const headerLength = msg.ephemeral !== undefined ? DATA_HEADER_SIZE_EPHEMERAL : DATA_HEADER_SIZE;
  checkDatagramSize('ciphertext', headerLength + msg.ciphertext.length, MAX_DATAGRAM_SIZE);
  const out = new Uint8Array(headerLength + msg.ciphertext.length);
  writeDataHeader(out, 0, msg);
  out.set(msg.ciphertext, headerLength);
  return out;
}

/** Decodes a Data frame; byte fields are views into `frame`. Never throws. */
export function decodeData(frame: Uint8Array): LinkDecodeResult<DataFrame> {
  const error = checkData(frame);
  if (error) return { ok: false, error };
  const flags = frame[DATA_OFFSET_FLAGS]!;
  const headerLength = dataHeaderLength(flags);
  const value: DataFrame = {
    type: FrameType.Data,
    hopLimit: frame[DATA_OFFSET_HOP_LIMIT]!,
    flags,
    receiverIndex: readU32(frame, DATA_OFFSET_RECEIVER),
    source: frame.subarray(DATA_OFFSET_SOURCE, DATA_OFFSET_DESTINATION),
    destination: frame.subarray(DATA_OFFSET_DESTINATION, DATA_OFFSET_KEY_ID),
    keyId: readU32(frame, DATA_OFFSET_KEY_ID),
    counter: readCounter(frame, DATA_OFFSET_COUNTER),
    ...(headerLength === DATA_HEADER_SIZE_EPHEMERAL
      ? { ephemeral: frame.subarray(DATA_OFFSET_EPHEMERAL, DATA_HEADER_SIZE_EPHEMERAL) }
      : {}),
    ciphertext: frame.subarray(headerLength),
  };
  return { ok: true, value };
}

// --- in place, for relays: call only on a frame that passed checkData -------------------------

/** Returns the hop limit of a Data frame. */
export function readDataHopLimit(frame: Uint8Array): number {
  return frame[DATA_OFFSET_HOP_LIMIT]!;
}

/** Sets the hop limit of a Data frame in place (1..255). */
export function writeDataHopLimit(frame: Uint8Array, hopLimit: number): void {
  checkInt('hopLimit', hopLimit, 1, 0xff);
  frame[DATA_OFFSET_HOP_LIMIT] = hopLimit;
}

/**
 * Decrements the hop limit in place before forwarding and returns the new value. Returns 0 and
 * leaves the frame untouched when the hop limit is 1 or less: the packet must not be forwarded
 * (the caller drops it and may answer with ICMPv6 Time Exceeded, RFC 4443 §3.3).
 */
export function decrementDataHopLimit(frame: Uint8Array): number {
  const hopLimit = frame[DATA_OFFSET_HOP_LIMIT]!;
  if (hopLimit <= 1) return 0;
  frame[DATA_OFFSET_HOP_LIMIT] = hopLimit - 1;
  return hopLimit - 1;
}

/** Returns the flags byte of a Data frame. */
export function readDataFlags(frame: Uint8Array): number {
  return frame[DATA_OFFSET_FLAGS]!;
}

/** Returns the receiver index of a Data frame: the link session at this hop. */
export function readDataReceiverIndex(frame: Uint8Array): number {
  return readU32(frame, DATA_OFFSET_RECEIVER);
}

/** Replaces the receiver index in place with the next hop's session index. */
export function writeDataReceiverIndex(frame: Uint8Array, receiverIndex: number): void {
  checkU32('receiverIndex', receiverIndex);
  writeU32(frame, DATA_OFFSET_RECEIVER, receiverIndex);
}

/** Returns the end-to-end key id of a Data frame (which key the source sealed it under). */
export function readDataKeyId(frame: Uint8Array): number {
  return readU32(frame, DATA_OFFSET_KEY_ID);
}

/** Returns the end-to-end counter of a Data frame (its nonce and replay-window position). */
export function readDataCounter(frame: Uint8Array): number {
  return readCounter(frame, DATA_OFFSET_COUNTER);
}

/** Returns the end offset of the end-to-end associated data, which starts at DATA_AD_OFFSET (8). */
export function dataAssociatedDataEnd(flags: number): number {
  return dataHeaderLength(flags);
}

/**
 * Returns the end-to-end associated data of a Data frame as a view: source, destination, key id,
 * counter and, when present, the ephemeral key. The hop limit and receiver index are outside it
 * because relays rewrite them.
 */
export function dataAssociatedData(frame: Uint8Array): Uint8Array {
  return frame.subarray(DATA_AD_OFFSET, dataHeaderLength(frame[DATA_OFFSET_FLAGS]!));
}

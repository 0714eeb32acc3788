/**
 * Internal: the checks every session frame (types 1-4 and 7) shares. Their first four bytes are the type
 * and three reserved zero bytes, so the indexes and keys that follow start 4-byte aligned, as in
 * WireGuard.
 */
import { failure, isZero } from './_bytes.js';
import { FRAME_TYPE_SIZE, type FrameType } from './constants.js';
import type { LinkDecodeError } from './types.js';

/** Offset one past the reserved bytes of a session frame. */
export const SESSION_RESERVED_END = 4;

/** Checks the type byte and, when present, the reserved bytes. Call before any length check. */
export function checkTypeByte(frame: Uint8Array, type: FrameType): LinkDecodeError | undefined {
  if (frame.length < FRAME_TYPE_SIZE) return failure('truncated', 0, 'empty datagram');
  if (frame[0] !== type) return failure('wrong-type', 0, `frame type ${frame[0]}, expected ${type}`);
  return undefined;
}

/** Checks type, exact size and reserved bytes of a fixed-size session frame. */
export function checkFixedSessionFrame(
  frame: Uint8Array,
  type: FrameType,
  size: number,
): LinkDecodeError | undefined {
  const bad = checkTypeByte(frame, type);
  if (bad) return bad;
  if (frame.length !== size) {
    return failure(
      'bad-length',
      Math.min(frame.length, size),
      `frame type ${type} is ${size} bytes, got ${frame.length}`,
    );
  }
  if (!isZero(frame, FRAME_TYPE_SIZE, SESSION_RESERVED_END))
    return failure('bad-reserved', 1, 'reserved bytes not zero');
  return undefined;
}

/** Writes the type byte and zeroes the reserved bytes of a session frame at `offset`. */
export function writeSessionPrefix(buf: Uint8Array, offset: number, type: FrameType): void {
  buf[offset] = type;
  buf[offset + 1] = 0;
  buf[offset + 2] = 0;
  buf[offset + 3] = 0;
}

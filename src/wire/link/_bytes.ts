/**
 * Internal helpers for the link codecs: big-endian integers read and written on plain byte arrays
 * (no DataView per packet), argument checks for encoders, and the failure constructor for decoders.
 * Readers assume the caller has already checked the length; the decoders always do.
 */
import { COUNTER_MAX } from './constants.js';
import type { LinkDecodeError, LinkDecodeErrorCode } from './types.js';

/** Reads a big-endian u32 at `offset`. */
export function readU32(b: Uint8Array, offset: number): number {
  return ((b[offset]! << 24) | (b[offset + 1]! << 16) | (b[offset + 2]! << 8) | b[offset + 3]!) >>> 0;
}

/** Writes `value` (a u32) big-endian at `offset`. */
export function writeU32(b: Uint8Array, offset: number, value: number): void {
  b[offset] = value >>> 24;
  b[offset + 1] = value >>> 16;
  b[offset + 2] = value >>> 8;
  b[offset + 3] = value;
}

/** Reads a big-endian u16 at `offset`. */
export function readU16(b: Uint8Array, offset: number): number {
  return (b[offset]! << 8) | b[offset + 1]!;
}

/** Writes `value` (a u16) big-endian at `offset`. */
export function writeU16(b: Uint8Array, offset: number, value: number): void {
  b[offset] = value >>> 8;
  b[offset + 1] = value;
}

/** Reads a big-endian u64 counter at `offset`; returns -1 when it exceeds COUNTER_MAX (2^53 - 1). */
export function readCounter(b: Uint8Array, offset: number): number {
  const hi = readU32(b, offset);
  if (hi > 0x1f_ffff) return -1;
  return hi * 0x1_0000_0000 + readU32(b, offset + 4);
}

/** Writes `value` (0..COUNTER_MAX) as a big-endian u64 at `offset`. */
export function writeCounter(b: Uint8Array, offset: number, value: number): void {
  const hi = Math.floor(value / 0x1_0000_0000);
  writeU32(b, offset, hi);
  writeU32(b, offset + 4, value - hi * 0x1_0000_0000);
}

/** True when `b[start..end)` is all zero. */
export function isZero(b: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (b[i] !== 0) return false;
  return true;
}

/** Builds a decode failure. Only failures allocate; the success path never calls this. */
export function failure(code: LinkDecodeErrorCode, offset: number, message: string): LinkDecodeError {
  return { code, offset, message };
}

// --- argument checks for encoders (noble-style: TypeError for the wrong kind, RangeError for the wrong size) ---

/** Throws unless `value` is a Uint8Array of exactly `length` bytes. */
export function checkBytes(name: string, value: Uint8Array, length: number): void {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${name} must be a Uint8Array`);
  if (value.length !== length) throw new RangeError(`${name} must be ${length} bytes, got ${value.length}`);
}

/** Throws unless `value` is a Uint8Array of at least `min` bytes. */
export function checkMinBytes(name: string, value: Uint8Array, min: number): void {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${name} must be a Uint8Array`);
  if (value.length < min) throw new RangeError(`${name} must be at least ${min} bytes, got ${value.length}`);
}

/** Throws unless `value` is an integer in [min, max]. */
export function checkInt(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer in [${min}, ${max}], got ${value}`);
  }
}

/** Throws unless `value` is a u32. */
export function checkU32(name: string, value: number): void {
  checkInt(name, value, 0, 0xffff_ffff);
}

/** Throws unless `value` is a counter hypha may send. */
export function checkCounter(name: string, value: number): void {
  checkInt(name, value, 0, COUNTER_MAX);
}

/** Throws unless `frameLength` fits one UDP datagram over either IP version. */
export function checkDatagramSize(name: string, frameLength: number, max: number): void {
  if (frameLength > max)
    throw new RangeError(`${name} makes a ${frameLength}-byte frame, over the ${max}-byte limit`);
}

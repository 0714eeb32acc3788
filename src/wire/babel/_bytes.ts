/**
 * Big-endian field access and noble-style argument checks for the Babel codec. Readers assume the
 * caller has already checked bounds; they never allocate.
 */

/** Reads a big-endian u16 at `off`. */
export function readU16(b: Uint8Array, off: number): number {
  return (b[off]! << 8) | b[off + 1]!;
}

/** Reads a big-endian u32 at `off` as a non-negative number. */
export function readU32(b: Uint8Array, off: number): number {
  return ((b[off]! << 24) | (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!) >>> 0;
}

/** Writes a big-endian u16 at `off`. */
export function writeU16(b: Uint8Array, off: number, v: number): void {
  b[off] = v >>> 8;
  b[off + 1] = v & 0xff;
}

/** Writes a big-endian u32 at `off`. */
export function writeU32(b: Uint8Array, off: number, v: number): void {
  b[off] = v >>> 24;
  b[off + 1] = (v >>> 16) & 0xff;
  b[off + 2] = (v >>> 8) & 0xff;
  b[off + 3] = v & 0xff;
}

/** True when both arrays hold the same bytes (not constant-time: public data only). */
export function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Throws RangeError naming `name` unless `v` is an integer in 0 .. 2^bits - 1. */
export function checkUint(v: number, bits: 8 | 16 | 32, name: string): void {
  if (!Number.isInteger(v) || v < 0 || v > 2 ** bits - 1) {
    throw new RangeError(`${name} must be an integer in 0..${2 ** bits - 1}, got ${String(v)}`);
  }
}

/** Throws TypeError unless `v` is a Uint8Array, RangeError unless it is `length` bytes long. */
export function checkBytes(v: Uint8Array, length: number, name: string): void {
  if (!(v instanceof Uint8Array)) throw new TypeError(`${name} must be a Uint8Array`);
  if (v.length !== length) throw new RangeError(`${name} must be ${length} bytes, got ${v.length}`);
}

/**
 * TAI64N timestamps (https://cr.yp.to/libtai/tai64.html): an 8-byte big-endian label 2^62 + TAI
 * seconds, then 4 bytes of big-endian nanoseconds. Like WireGuard, hypha takes TAI as Unix time + 10
 * s and ignores later leap seconds: the handshake only needs each initiator's timestamps to increase,
 * and byte order equals time order, so compareTai64n works on the encoded bytes. The caller supplies
 * the time (no clock is read here); coarsening the nanoseconds so they do not leak a precise clock
 * is the crypto layer's choice.
 */
import { checkBytes, checkInt, failure, readU32, writeU32 } from './_bytes.js';
import { TAI64_EPOCH_HIGH, TAI64_UNIX_OFFSET_S, TAI64N_SIZE } from './constants.js';
import type { LinkDecodeResult, Tai64n } from './types.js';

const TWO_32 = 0x1_0000_0000;
/** Largest label offset from 2^62 we accept: 2^53 - 1, so seconds stay exact JS numbers. */
const MAX_LABEL_OFFSET = Number.MAX_SAFE_INTEGER;
/** Largest Unix time encodeTai64n accepts. */
export const TAI64N_MAX_SECONDS = MAX_LABEL_OFFSET - TAI64_UNIX_OFFSET_S;

/** Encodes a Unix time (whole seconds since 1970, plus nanoseconds) as 12 TAI64N bytes. */
export function encodeTai64n(seconds: number, nanoseconds: number): Uint8Array {
  checkInt('seconds', seconds, 0, TAI64N_MAX_SECONDS);
  checkInt('nanoseconds', nanoseconds, 0, 999_999_999);
  const label = seconds + TAI64_UNIX_OFFSET_S;
  const hi = Math.floor(label / TWO_32);
  const out = new Uint8Array(TAI64N_SIZE);
  writeU32(out, 0, TAI64_EPOCH_HIGH + hi);
  writeU32(out, 4, label - hi * TWO_32);
  writeU32(out, 8, nanoseconds);
  return out;
}

/** Decodes 12 TAI64N bytes into Unix seconds and nanoseconds. Never throws. */
export function decodeTai64n(bytes: Uint8Array): LinkDecodeResult<Tai64n> {
  if (bytes.length !== TAI64N_SIZE) {
    return {
      ok: false,
      error: failure(
        'bad-length',
        Math.min(bytes.length, TAI64N_SIZE),
        `TAI64N is 12 bytes, got ${bytes.length}`,
      ),
    };
  }
  const hi = readU32(bytes, 0) - TAI64_EPOCH_HIGH; // negative before 1970 TAI, or past 2^63 when >= 2^31
  if (hi < 0 || hi > Math.floor(MAX_LABEL_OFFSET / TWO_32)) {
    return { ok: false, error: failure('bad-timestamp', 0, 'TAI64 label out of range') };
  }
  const offset = hi * TWO_32 + readU32(bytes, 4);
  if (offset < TAI64_UNIX_OFFSET_S || offset > MAX_LABEL_OFFSET) {
    return { ok: false, error: failure('bad-timestamp', 0, 'TAI64 label before 1970 or too far ahead') };
  }
  const nanoseconds = readU32(bytes, 8);
  if (nanoseconds > 999_999_999) {
    return { ok: false, error: failure('bad-timestamp', 8, 'nanoseconds past 999999999') };
  }
  return { ok: true, value: { seconds: offset - TAI64_UNIX_OFFSET_S, nanoseconds } };
}

/** Compares two encoded TAI64N timestamps: negative, zero or positive as `a` is earlier, equal or later. */
export function compareTai64n(a: Uint8Array, b: Uint8Array): number {
  checkBytes('a', a, TAI64N_SIZE);
  checkBytes('b', b, TAI64N_SIZE);
  for (let i = 0; i < TAI64N_SIZE; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

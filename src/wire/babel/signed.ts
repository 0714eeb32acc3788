/**
 * The exact bytes an Update signature covers. The originator signs, once per (prefix, seqno), the
 * fields no hop may change; metric, interval and flags change on the way and are left out.
 *
 *   tag "hypha-update-v1" (15) · AE (1) · Plen (1) · Prefix (ceil(plen/8)) · Seqno (2, BE) · Originator key (32)
 *
 * Plen comes before the prefix bytes and fixes their count, so two different inputs never give
 * the same byte string.
 */
import { checkBytes, checkUint, writeU16 } from './_bytes.js';
import { ORIGINATOR_KEY_BYTES, UPDATE_SIGNATURE_TAG } from './constants.js';
import { checkPrefix, maskInPlace, prefixBytes } from './prefix.js';
import type { Prefix } from './types.js';

const TAG = new TextEncoder().encode(UPDATE_SIGNATURE_TAG);

/**
 * Returns the byte string an Update for `prefix` at `seqno` from `originator` (a 32-byte Ed25519
 * public key) is signed over. Prefix bytes are taken from the masked full address (AE 3
 * included, fe80:: head and all). Throws TypeError or RangeError on invalid arguments.
 */
export function updateSignedBytes(prefix: Prefix, seqno: number, originator: Uint8Array): Uint8Array {
  checkPrefix(prefix, 'prefix');
  checkUint(seqno, 16, 'seqno');
  checkBytes(originator, ORIGINATOR_KEY_BYTES, 'originator');
  const pb = prefixBytes(prefix.plen);
  const out = new Uint8Array(TAG.length + 2 + pb + 2 + ORIGINATOR_KEY_BYTES);
  let o = 0;
  out.set(TAG, o);
  o += TAG.length;
  out[o++] = prefix.ae;
  out[o++] = prefix.plen;
  out.set(maskInPlace(prefix.addr.slice(0, pb), prefix.plen), o);
  o += pb;
  writeU16(out, o, seqno);
  o += 2;
  out.set(originator, o);
  return out;
}

/**
 * 16-bit modular seqno arithmetic (RFC 8966 §3.2.1), as babeld's util.h: seqno_compare,
 * seqno_plus, seqno_minus. A seqno s1 is newer than s2 when (s1 − s2) mod 2^16 is in [1, 2^15).
 */
import { SEQNO_MODULUS } from './constants.js';

const HALF = SEQNO_MODULUS / 2;

/** Returns s + n modulo 2^16 (n may be negative). */
export function seqnoPlus(s: number, n: number): number {
  return (((s + n) % SEQNO_MODULUS) + SEQNO_MODULUS) % SEQNO_MODULUS;
}

/** Returns the signed distance s1 − s2 in [−2^15, 2^15): positive when s1 is newer. */
export function seqnoMinus(s1: number, s2: number): number {
  const d = seqnoPlus(s1, -s2);
  return d >= HALF ? d - SEQNO_MODULUS : d;
}

/** Returns −1, 0 or 1 as s1 is older than, equal to, or newer than s2. */
export function seqnoCompare(s1: number, s2: number): -1 | 0 | 1 {
  const d = seqnoMinus(s1, s2);
  return d === 0 ? 0 : d > 0 ? 1 : -1;
}

/** True when s is a valid u16 seqno. */
export function isSeqno(s: number): boolean {
  return Number.isInteger(s) && s >= 0 && s < SEQNO_MODULUS;
}

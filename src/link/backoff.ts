/**
 * Reconnect backoff for static and discovered peers: after the n-th failed attempt in a row (n ≥ 1)
 * wait base × 2^(n − 1), jittered by ±jitter from the injected RNG (babeld's roughly()), then
 * capped at max. Near the cap the jitter therefore only shortens the wait, so it never exceeds max.
 */
import { BACKOFF_JITTER } from './constants.js';

/** Returns the wait in ms before the next attempt after `failures` failed attempts in a row. */
export function backoffDelay(failures: number, random: () => number, baseMs: number, maxMs: number): number {
  const n = Math.max(1, Math.min(failures, 31)); // 2^30 × base is far past any cap
  const nominal = baseMs * 2 ** (n - 1);
  const jittered = nominal * (1 - BACKOFF_JITTER + 2 * BACKOFF_JITTER * random());
  return Math.min(maxMs, jittered);
}

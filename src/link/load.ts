/**
 * Whether the node is under handshake load (docs/protocol/link-sessions.md §Load): more than the
 * threshold of handshake messages 1 and 2 in the current one-second window, or a responder table
 * at least half full. Under load, messages 1 and 2 need a valid mac2 before any DH and get a
 * CookieReply otherwise (src/crypto/cookie.ts). The state is held LOAD_HOLD_MS past the last
 * window that crossed the threshold, as WireGuard holds its underLoad flag for a second.
 */
import { LOAD_HOLD_MS } from './constants.js';

const WINDOW_MS = 1_000;

export class HandshakeLoad {
  private windowStart = Number.NEGATIVE_INFINITY;
  private count = 0;
  private until = Number.NEGATIVE_INFINITY;

  constructor(private readonly thresholdPerSecond: number) {}

  /** Records one received handshake message 1 or 2 at `now`; returns true when that starts load. */
  record(now: number): boolean {
    if (now - this.windowStart >= WINDOW_MS || now < this.windowStart) {
      this.windowStart = now;
      this.count = 0;
    }
    this.count++;
    if (this.count > this.thresholdPerSecond) {
      const started = now >= this.until;
      this.until = now + LOAD_HOLD_MS;
      return started;
    }
    return false;
  }

  /** True while the message rate is (or was within LOAD_HOLD_MS) above the threshold. */
  active(now: number): boolean {
    return now < this.until;
  }
}

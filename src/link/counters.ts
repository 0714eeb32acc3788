/**
 * The link layer's monotonic counters. Names are stable (metrics export them):
 *
 * - `rx.<frame>` / `tx.<frame>`: frames by type (`initiation`, `response`, `finish`, `cookie-reply`,
 *   `transport`, `data`, `beacon`), plus `rx.control`, `rx.keepalive`, `tx.control`, `tx.keepalive`
 *   for the content of Transport frames;
 * - `drop.<reason>`: every datagram dropped, by reason (decode codes such as `truncated`,
 *   `unknown-type`; handshake reasons such as `bad-mac1`, `wrong-index`, `consumed`, `decrypt`,
 *   `self`; transport reasons such as `replay`, `expired`; and this layer's own: `wrong-peer-key`,
 *   `session-cap`, `pending-cap`, `target-cap`, `cookie-required`, `bad-cookie`, `bad-endpoint`,
 *   `data-frame`, `beacon`, `closed`);
 * - `handshake.started|completed|failed|timeout|unconfirmed`, `cookie.sent|received`,
 *   `session.up|down|roamed`, `load.start`.
 */
import { Counters as BaseCounters } from '../util/counters.js';
import { FrameType } from '../wire/link/constants.js';

const FRAME_NAMES: Readonly<Record<number, string>> = {
  [FrameType.HandshakeInitiation]: 'initiation',
  [FrameType.HandshakeResponse]: 'response',
  [FrameType.CookieReply]: 'cookie-reply',
  [FrameType.Transport]: 'transport',
  [FrameType.Data]: 'data',
  [FrameType.DiscoveryBeacon]: 'beacon',
  [FrameType.HandshakeFinish]: 'finish',
};

/** Returns the counter name part of a frame type. */
export function frameName(type: FrameType): string {
  return FRAME_NAMES[type] ?? `type-${type}`;
}

/** The shared counters plus the link layer's drop shorthand. */
export class Counters extends BaseCounters {
  /** Counts one dropped datagram under `drop.<reason>`. */
  drop(reason: string): void {
    this.add(`drop.${reason}`);
  }
}

/**
 * When a session next needs the timer, and what is due (docs/protocol/link-sessions.md §Timers).
 * Every deadline is derived from the session's plain state, so there is no timer table to keep in
 * step: sessionDeadline() is the minimum, and the manager's expireSession() acts on whatever is due
 * and recomputes. A deadline that comes early is harmless: nothing is due, nothing happens.
 *
 * | kind                 | due at                                                             |
 * | -------------------- | ------------------------------------------------------------------ |
 * | attempt timeout      | message 1 sent + REKEY_TIMEOUT_MS without message 2                |
 * | confirmation timeout | message 3 sent + CONFIRM_TIMEOUT_MS without a frame on `next`      |
 * | dead                 | last authenticated frame + deadAfterMs (15 s)                      |
 * | probe                | last authenticated frame + probeAfterMs (10 s): start a handshake  |
 * | rekey                | current created + REKEY_AFTER_TIME_MS (initiator of it) or          |
 * |                      | + RESPONDER_REKEY_AFTER_MS (the other side, a fallback)            |
 * | passive keepalive    | first control received since the last send + KEEPALIVE_TIMEOUT_MS  |
 * | keypair expiry       | created + REJECT_AFTER_TIME_MS (current and previous)               |
 */
import { REJECT_AFTER_TIME_MS, REKEY_AFTER_TIME_MS } from '../crypto/constants.js';
import type { Millis } from './api.js';
import { type LinkConfig, RESPONDER_REKEY_AFTER_MS } from './constants.js';
import type { Session } from './session.js';

/**
 * Returns when the session should start a handshake to replace its current keypair; with no current
 * keypair (it expired) at once, i.e. the last receive time, which is already past.
 */
export function rekeyAt(s: Session): Millis {
  const cur = s.current;
  if (!cur) return s.lastReceivedAt;
  return cur.createdAt + (cur.isInitiator ? REKEY_AFTER_TIME_MS : RESPONDER_REKEY_AFTER_MS);
}

/** True when the session may start a handshake of its own (none in flight, none confirming). */
export function canStartAttempt(s: Session): boolean {
  return s.attempt === undefined && s.next === undefined;
}

/** Returns the earliest time the session needs handleTimer, or +Infinity. */
export function sessionDeadline(s: Session, cfg: LinkConfig): Millis {
  let d = s.nextDeadline;
  if (s.attempt && s.attempt.deadline < d) d = s.attempt.deadline;
  if (!s.up) return d;
  d = Math.min(d, s.lastReceivedAt + cfg.deadAfterMs);
  if (s.keepaliveAt !== undefined) d = Math.min(d, s.keepaliveAt);
  if (s.previous) d = Math.min(d, s.previous.createdAt + REJECT_AFTER_TIME_MS);
  if (s.current) d = Math.min(d, s.current.createdAt + REJECT_AFTER_TIME_MS);
  if (canStartAttempt(s)) d = Math.min(d, s.lastReceivedAt + cfg.probeAfterMs, rekeyAt(s));
  return d;
}

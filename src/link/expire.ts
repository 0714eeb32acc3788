/**
 * The timer input (docs/protocol/link-sessions.md §Timers): acts on everything due in every
 * session, target and responder handshake, then recomputes the one deadline the driver arms.
 * What falls due when is in timers.ts.
 */
import { REJECT_AFTER_TIME_MS } from '../crypto/constants.js';
import { ContentType } from '../wire/link/constants.js';
import type { LinkState } from './_state.js';
import type { Millis } from './api.js';
import type { Session } from './session.js';
import { canStartAttempt, rekeyAt, sessionDeadline } from './timers.js';

const EMPTY = new Uint8Array(0);

/** Acts on everything due for one session (see timers.ts for the table). */
function expireSession(st: LinkState, s: Session, now: Millis): void {
  if (s.attempt && now >= s.attempt.deadline) {
    st.counts.add('handshake.timeout');
    st.attemptFailed(s.attempt, now);
  }
  if (s.next && now >= s.nextDeadline) {
    st.counts.add('handshake.unconfirmed');
    st.dropKeypair(s.next);
    s.next = undefined;
    s.nextDeadline = Number.POSITIVE_INFINITY;
    if (!s.up) {
      st.sessionDown(s, 'unconfirmed', now);
      return;
    }
  }
  if (!s.up) {
    // Confirming its first keypair, or a leftover with nothing in flight.
    if (!s.next && !s.attempt) st.sessionDown(s, 'unconfirmed', now);
    return;
  }
  if (now - s.lastReceivedAt >= st.cfg.deadAfterMs) {
    st.sessionDown(s, 'timeout', now);
    return;
  }
  if (s.previous && s.previous.age(now) >= REJECT_AFTER_TIME_MS) {
    st.dropKeypair(s.previous);
    s.previous = undefined;
  }
  if (s.current && s.current.age(now) >= REJECT_AFTER_TIME_MS) {
    st.dropKeypair(s.current);
    s.current = undefined;
    s.refreshDataTarget();
  }
  if (canStartAttempt(s)) {
    if (now >= rekeyAt(s)) st.startSessionAttempt(s, now, s.current ? 'rekey' : 'expired');
    else if (now - s.lastReceivedAt >= st.cfg.probeAfterMs) st.startSessionAttempt(s, now, 'probe');
  }
  if (s.keepaliveAt !== undefined && now >= s.keepaliveAt) {
    s.keepaliveAt = undefined;
    if (s.current) st.sendTransport(s, s.current, ContentType.Keepalive, EMPTY, now);
  }
}

/**
 * Handles the timer at `now`: everything due in sessions, then targets (a session that went down
 * restarts its targets), then responder handshakes; then recomputes the wake-up time from scratch.
 * A call before anything is due changes nothing.
 */
export function expireAll(st: LinkState, now: Millis): void {
  if (st.closed) return;
  let wake = Number.POSITIVE_INFINITY;
  for (const s of [...st.sessions.values()]) {
    expireSession(st, s, now);
    if (st.sessions.get(s.neighbour) === s) wake = Math.min(wake, sessionDeadline(s, st.cfg));
  }
  for (const t of [...st.targets.values()]) {
    if (!t.session) {
      if (t.attempt && now >= t.attempt.deadline) {
        st.counts.add('handshake.timeout');
        st.attemptFailed(t.attempt, now);
      } else if (!t.attempt && t.retryAt !== undefined && now >= t.retryAt) {
        st.startTargetAttempt(t, now);
      }
    }
    const d = st.targets.get(t.key) === t ? t.deadline() : undefined;
    if (d !== undefined) wake = Math.min(wake, d);
  }
  st.expireResponders(now);
  for (const p of st.responders.values()) wake = Math.min(wake, p.deadline);
  st.wake = wake;
}

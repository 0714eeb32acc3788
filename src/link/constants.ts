/**
 * Timers and caps of link sessions (docs/protocol/link-sessions.md). The handshake's own limits
 * (REKEY_AFTER_TIME_MS, REJECT_AFTER_TIME_MS, REKEY_TIMEOUT_MS, KEEPALIVE_TIMEOUT_MS, …) live in
 * src/crypto/constants.ts; this file holds what the session layer adds on top. Times are
 * milliseconds on the driver's monotonic clock.
 */
import {
  HANDSHAKE_PENDING_TIMEOUT_MS,
  KEEPALIVE_TIMEOUT_MS,
  REJECT_AFTER_TIME_MS,
  REKEY_AFTER_TIME_MS,
  REKEY_ATTEMPT_TIME_MS,
  REKEY_TIMEOUT_MS,
} from '../crypto/constants.js';

// ---------------------------------------------------------------------------------------------
// Behaviour peers rely on
// ---------------------------------------------------------------------------------------------

/**
 * A session that received no authenticated frame for this long goes 'down': 15 s, WireGuard's
 * "new handshake" time (KEEPALIVE_TIMEOUT_MS + REKEY_TIMEOUT_MS). Routing sends a Hello every 4 s,
 * so this is three lost Hellos in a row plus slack.
 */
export const DEAD_AFTER_MS = KEEPALIVE_TIMEOUT_MS + REKEY_TIMEOUT_MS;
/**
 * A session that received nothing authenticated for this long starts a handshake on its own, so a
 * peer that lost its state (a restart that does not dial back) is re-keyed before DEAD_AFTER_MS:
 * 13 s = DEAD_AFTER_MS − 2 s, leaving one round trip. It must stay above the gap a one-way flow
 * leaves: the silent side answers with passive keepalives, one per ⌈10 s / 4 s⌉ × 4 s = 12 s.
 */
export const PROBE_AFTER_MS = DEAD_AFTER_MS - 2_000;
/**
 * Only the initiator of the current keypair rekeys on age (REKEY_AFTER_TIME_MS, the spec rule). If
 * it has not done so this long after the keypair was made, the responder starts one itself:
 * 150 s = 120 + 30, still 30 s before REJECT_AFTER_TIME_MS.
 */
export const RESPONDER_REKEY_AFTER_MS =
  REKEY_AFTER_TIME_MS + (REJECT_AFTER_TIME_MS - REKEY_AFTER_TIME_MS) / 2;
/**
 * Two keypairs for one peer completed this close together are a crossing (both sides initiated):
 * both sides then keep the one initiated by the lower public key as current.
 */
export const CROSSING_WINDOW_MS = REKEY_TIMEOUT_MS;
/** An initiator's new keypair must be confirmed (an authenticated frame on it) within this time. */
export const CONFIRM_TIMEOUT_MS = REKEY_TIMEOUT_MS;
/** A responder's pending handshake expires after this (the handshake layer refuses it after too). */
export const RESPONDER_PENDING_TIMEOUT_MS = HANDSHAKE_PENDING_TIMEOUT_MS;

// ---------------------------------------------------------------------------------------------
// Implementation constants (this node's own resources)
// ---------------------------------------------------------------------------------------------

/** Reconnect backoff: BASE × 2^(failures − 1), jittered by ±BACKOFF_JITTER, then capped at MAX. */
export const BACKOFF_BASE_MS = 1_000;
export const BACKOFF_MAX_MS = 30_000;
export const BACKOFF_JITTER = 0.2;
/** A discovered peer that has not answered for this long since its first failure is forgotten. */
export const DISCOVERED_GIVE_UP_MS = REKEY_ATTEMPT_TIME_MS;

/** Sessions (one per peer key, up or confirming); a new key beyond this is refused. */
export const MAX_SESSIONS = 512;
/** Responder handshakes between messages 2 and 3, node-wide. */
export const MAX_PENDING_RESPONDERS = 256;
/** Static and discovered targets that are not attached to a session; discovered ones beyond it are refused. */
export const MAX_TARGETS = 512;
/**
 * Handshake messages 1 and 2 received per second above which the node is under load and asks for
 * mac2 (cookies) before any DH. A node with hundreds of peers rekeys a few times a second at most.
 */
export const LOAD_THRESHOLD_PER_SECOND = 50;
/** Under load ends this long after the rate fell back below the threshold. */
export const LOAD_HOLD_MS = 1_000;

/** The tunables of a LinkManager; every field defaults to the constant of the same meaning. */
export interface LinkConfig {
  readonly deadAfterMs: number;
  readonly probeAfterMs: number;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  readonly maxSessions: number;
  readonly maxPendingResponders: number;
  readonly maxTargets: number;
  readonly loadThresholdPerSecond: number;
}

export const DEFAULT_LINK_CONFIG: LinkConfig = {
  deadAfterMs: DEAD_AFTER_MS,
  probeAfterMs: PROBE_AFTER_MS,
  backoffBaseMs: BACKOFF_BASE_MS,
  backoffMaxMs: BACKOFF_MAX_MS,
  maxSessions: MAX_SESSIONS,
  maxPendingResponders: MAX_PENDING_RESPONDERS,
  maxTargets: MAX_TARGETS,
  loadThresholdPerSecond: LOAD_THRESHOLD_PER_SECOND,
};

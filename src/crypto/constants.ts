/**
 * Constants of the link handshake and link sessions (docs/protocol/link-handshake.md). The
 * specification block changes behaviour that peers rely on; the implementation block only bounds
 * this node's own resources. Times are milliseconds on the caller's monotonic clock.
 */
import { MAX_COUNTER } from './aead.js';
import { WINDOW_BITS } from './replay.js';

// ---------------------------------------------------------------------------------------------
// Specification constants
// ---------------------------------------------------------------------------------------------

/** Noise protocol name (Noise spec §8): pattern XX with psk0, X25519, ChaCha20-Poly1305, SHA-256. */
export const NOISE_PROTOCOL_NAME = 'Noise_XXpsk0_25519_ChaChaPoly_SHA256';
/** Noise prologue (§6): mixed into the transcript before the first message; ASCII, no terminator. */
export const NOISE_PROLOGUE = 'hypha link v1';

/** An initiator starts a new handshake when its current keypair is this old and it sends. */
export const REKEY_AFTER_TIME_MS = 120_000;
/** No keypair is used to send or receive past this age. */
export const REJECT_AFTER_TIME_MS = 180_000;
/** An initiator gives up on a handshake after this long without an answer and starts over. */
export const REKEY_TIMEOUT_MS = 5_000;
/** Retries stop after this long: RekeyAttemptTime in WireGuard. */
export const REKEY_ATTEMPT_TIME_MS = 90_000;
/** A side that received data and sent nothing for this long sends a keepalive. */
export const KEEPALIVE_TIMEOUT_MS = 10_000;
/** Lifetime of the responder's cookie secret and of a cookie the initiator holds. */
export const COOKIE_REFRESH_MS = 120_000;
/**
 * Receive-side rekey: the initiator also rekeys when it receives on a keypair this old, so that a
 * one-way flow does not run into REJECT_AFTER_TIME_MS: 120 - 10 - 5 = 105 s (WireGuard's rule).
 */
export const REKEY_AFTER_TIME_RECEIVING_MS = REKEY_AFTER_TIME_MS - KEEPALIVE_TIMEOUT_MS - REKEY_TIMEOUT_MS;
/** The sender starts a new handshake after this many messages on one keypair: 2^50. */
export const REKEY_AFTER_MESSAGES = 2 ** 50;
/**
 * The last counter a keypair may send or accept: 2^53 - 1 - 2^13, keeping a replay window's worth
 * of room below MAX_COUNTER (counters are exact JS numbers, see src/crypto/aead.ts).
 */
export const REJECT_AFTER_MESSAGES = MAX_COUNTER - 2 ** 13;

/** Lengths (Noise §12): DHLEN, HASHLEN, the AEAD key and tag. */
export const DH_LEN = 32;
export const HASH_LEN = 32;
export const KEY_LEN = 32;
export const TAG_LEN = 16;
/** mac1, mac2 and cookies are HMAC-SHA256 cut to 128 bits. */
export const MAC_LEN = 16;
export const COOKIE_LEN = 16;
export const COOKIE_NONCE_LEN = 24;
export const NETWORK_KEY_LEN = 32;

// ---------------------------------------------------------------------------------------------
// Implementation constants
// ---------------------------------------------------------------------------------------------

/** A pending handshake (either side) is dropped this long after it was created. */
export const HANDSHAKE_PENDING_TIMEOUT_MS = REKEY_TIMEOUT_MS;
/** Tries at picking an unused random index before giving up (2^32 indexes; a full table is a bug). */
export const INDEX_ALLOCATION_TRIES = 64;
/** Transport counters this far behind the newest one are still accepted once (RFC 6479 window). */
export const TRANSPORT_REPLAY_WINDOW = WINDOW_BITS;

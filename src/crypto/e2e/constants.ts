/**
 * End-to-end encryption constants (docs/protocol/end-to-end.md). The spec block fixes bytes on the
 * wire and inputs to the key schedule; the implementation block holds lifetimes and caps a node may
 * tune without breaking interoperability.
 */

// ---------------------------------------------------------------------------------------------
// Specification constants: changing any of these changes the protocol.
// ---------------------------------------------------------------------------------------------

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** HKDF salt of every end-to-end key (RFC 5869 §3.1: a constant, non-secret salt). */
export const E2E_SALT = ascii('hypha e2e v1');
/** HKDF info prefix of a one-way send key; the algorithm byte, X_S, X_D and E_S follow. */
export const E2E_INFO_SEND = ascii('hypha e2e v1 send');
/** SHA-256 prefix of a key id; the algorithm byte, X_S, X_D and E_S follow. */
export const E2E_KEY_ID_LABEL = ascii('hypha e2e v1 key id');

/** The algorithm byte mixed into the key schedule, and bit 31 of the key id. */
export enum E2eAlgorithmId {
  Aes256Gcm = 0,
  ChaCha20Poly1305 = 1,
}
/** Bit 31 of a key id names the AEAD: 0 = AES-256-GCM, 1 = ChaCha20-Poly1305. */
export const KEY_ID_ALGORITHM_BIT = 0x8000_0000;
/** The other 31 bits come from the key-id hash. */
export const KEY_ID_HASH_MASK = 0x7fff_ffff;

/** X25519 sizes (RFC 7748). */
export const X25519_KEY_BYTES = 32;
/** An e2e send key (AES-256 or ChaCha20). */
export const E2E_KEY_BYTES = 32;

/**
 * The first plaintext byte says what the plaintext is. An IPv6 packet starts with its version nibble
 * (0x6_), so data packets need no inner header at all; end-to-end control messages use first bytes
 * whose high nibble is 0. Anything else is an `bad-inner` drop.
 */
export const INNER_IPV6_NIBBLE = 6;
export enum ControlType {
  /** [0x01][key id u32]: "I derived your key with this id; stop attaching your ephemeral key". */
  KeyAck = 0x01,
  /** [0x02][key id u32]: "I received this key id and do not know it; attach your ephemeral key". */
  KeyRequest = 0x02,
  /**
   * [0x03][key id u32][counter u64]: "your frame with this key id and counter ran out of hop limit
   * here". A relay sends it to the frame's source, which answers its own traceroute with an ICMPv6
   * Time Exceeded from the relay's address (src/dataplane/trace-ring.ts).
   */
  HopLimitExceeded = 0x03,
}
/** KeyAck and KeyRequest are 5 bytes: type, key id. */
export const CONTROL_SIZE = 5;
/** HopLimitExceeded is 13 bytes: type, key id, counter. */
export const HOP_LIMIT_REPORT_SIZE = 13;
/** The fixed IPv6 header (RFC 8200 §3); source at 8, destination at 24. */
export const IPV6_HEADER_BYTES = 40;
export const IPV6_OFFSET_SOURCE = 8;
export const IPV6_OFFSET_DESTINATION = 24;
/** A node owns the /64 of its address: the inner source must share the first 8 bytes. */
export const SUBNET_PREFIX_BYTES = 8;

// ---------------------------------------------------------------------------------------------
// Implementation constants: lifetimes and caps.
// ---------------------------------------------------------------------------------------------

/** A send key (and its ephemeral key pair) is replaced after this long: the forward-secrecy period. */
export const EPOCH_MS = 2 * 60 * 1000;
/**
 * A receiver forgets a key this long after it last opened a packet with it. A sender switches keys
 * every EPOCH_MS, so a live key is never idle this long; one epoch of slack covers a quiet flow.
 */
export const KEY_IDLE_MS = 2 * EPOCH_MS;
/** A receiver refuses a key this long after it derived it, however busy: EPOCH_MS + 1 min slack. */
export const KEY_MAX_AGE_MS = EPOCH_MS + 60 * 1000;
/** A sender replaces a key after this many packets (far below 2^53 - 1; ~10M packets/s for 2 min). */
export const REKEY_AFTER_MESSAGES = 2 ** 40;
/** Live keys a receiver keeps per source: current, previous (in flight), and restarts. */
export const KEYS_PER_SOURCE = 4;
/** Retired key ids a receiver remembers per source, so replays of recently retired keys stay dead. */
export const RETIRED_PER_SOURCE = 8;
/**
 * A receiver forgets a source (and its retired key ids) this long after its last packet. Until
 * then a replay of a retired key is a `stale-key` drop; after it, a replayed frame that carries
 * the ephemeral key would be accepted once more (docs/protocol/end-to-end.md, "Replays").
 */
export const SOURCE_IDLE_MS = 60 * 60 * 1000;
/** Sources a receiver keeps key state for (LRU beyond this). */
export const MAX_SOURCES = 4096;
/** Destinations a sender keeps send keys for (oldest key evicted beyond this; never re-used). */
export const MAX_DESTINATIONS = 4096;
/** Static Diffie-Hellman results kept per peer (LRU). */
export const MAX_STATIC_PEERS = 4096;
/** A receiver re-acknowledges a key at most this often while packets keep carrying its ephemeral. */
export const ACK_RETRY_MS = 1000;
/** A receiver asks a source for its ephemeral key at most this often. */
export const REQUEST_INTERVAL_MS = 1000;
/** Key derivations on receive (one X25519 each): a token bucket against floods of fresh ephemerals. */
export const DERIVE_BURST = 256;
export const DERIVE_PER_SECOND = 2000;
/** Control messages waiting for pollControl(); more are dropped and counted. */
export const CONTROL_QUEUE_CAP = 256;
/** Hop limit of the control messages this layer originates. */
export const CONTROL_HOP_LIMIT = 64;

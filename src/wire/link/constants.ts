/**
 * Frame type numbers, sizes and byte offsets of every UDP datagram exchanged between hypha nodes
 * (docs/protocol/link-frames.md draws each layout). Multi-byte integers are big-endian throughout,
 * A derived size is written as its arithmetic.
 */

// ---------------------------------------------------------------------------------------------
// Specification constants: changing any of these changes the wire format.
// ---------------------------------------------------------------------------------------------

/** Byte 0 of every datagram. A new incompatible layout gets a new number, never a reused one. */
export enum FrameType {
  HandshakeInitiation = 1,
  HandshakeResponse = 2,
  CookieReply = 3,
  Transport = 4,
  Data = 5,
  DiscoveryBeacon = 6,
  /** The third handshake message (Noise XX's `-> s, se`); numbered after the types that existed before it. */
  HandshakeFinish = 7,
}

/** Building blocks. */
export const FRAME_TYPE_SIZE = 1;
export const INDEX_SIZE = 4; // a session index (sender or receiver), u32
export const COUNTER_SIZE = 8; // a nonce counter, u64
export const KEY_SIZE = 32; // an X25519 or Ed25519 public key
export const TAG_SIZE = 16; // a Poly1305 tag
export const MAC_SIZE = 16; // mac1 / mac2: HMAC-SHA256 truncated to 128 bits (src/crypto/cookie.ts)
export const COOKIE_NONCE_SIZE = 24; // random; a per-reply key is derived from it (src/crypto/cookie.ts)
export const COOKIE_SIZE = 16;
export const ADDRESS_SIZE = 16; // an overlay IPv6 address
export const NETWORK_TAG_SIZE = 8;

/** The largest counter hypha sends or accepts: 2^53 - 1, so it stays an exact JS number. */
export const COUNTER_MAX = Number.MAX_SAFE_INTEGER;

// --- 1 HandshakeInitiation (88 bytes): Noise XXpsk0 `-> psk, e` ----------------------------------
export const INITIATION_OFFSET_SENDER = 4; // after type + 3 reserved bytes
export const INITIATION_OFFSET_EPHEMERAL = INITIATION_OFFSET_SENDER + INDEX_SIZE; // 8
/** An empty payload sealed under the psk-derived key: only the tag. */
export const INITIATION_ENCRYPTED_PAYLOAD_SIZE = 0 + TAG_SIZE; // 16
export const INITIATION_OFFSET_PAYLOAD = INITIATION_OFFSET_EPHEMERAL + KEY_SIZE; // 40
export const INITIATION_OFFSET_MAC1 = INITIATION_OFFSET_PAYLOAD + INITIATION_ENCRYPTED_PAYLOAD_SIZE; // 56
export const INITIATION_OFFSET_MAC2 = INITIATION_OFFSET_MAC1 + MAC_SIZE; // 72
export const INITIATION_SIZE = INITIATION_OFFSET_MAC2 + MAC_SIZE; // 88

// --- 2 HandshakeResponse (140 bytes): `<- e, ee, s, es` -------------------------------------------
export const RESPONSE_OFFSET_SENDER = 4;
export const RESPONSE_OFFSET_RECEIVER = RESPONSE_OFFSET_SENDER + INDEX_SIZE; // 8
export const RESPONSE_OFFSET_EPHEMERAL = RESPONSE_OFFSET_RECEIVER + INDEX_SIZE; // 12
/** The responder's Ed25519 identity key, sealed: 32 + 16. */
export const ENCRYPTED_STATIC_SIZE = KEY_SIZE + TAG_SIZE; // 48
export const RESPONSE_OFFSET_STATIC = RESPONSE_OFFSET_EPHEMERAL + KEY_SIZE; // 44
export const RESPONSE_ENCRYPTED_PAYLOAD_SIZE = 0 + TAG_SIZE; // 16
export const RESPONSE_OFFSET_PAYLOAD = RESPONSE_OFFSET_STATIC + ENCRYPTED_STATIC_SIZE; // 92
export const RESPONSE_OFFSET_MAC1 = RESPONSE_OFFSET_PAYLOAD + RESPONSE_ENCRYPTED_PAYLOAD_SIZE; // 108
export const RESPONSE_OFFSET_MAC2 = RESPONSE_OFFSET_MAC1 + MAC_SIZE; // 124
export const RESPONSE_SIZE = RESPONSE_OFFSET_MAC2 + MAC_SIZE; // 140

// --- 7 HandshakeFinish (104 bytes): `-> s, se` ---------------------------------------------------
/** The responder's sender index, so the responder finds its pending handshake with one lookup. */
export const FINISH_OFFSET_RECEIVER = 4;
export const FINISH_OFFSET_STATIC = FINISH_OFFSET_RECEIVER + INDEX_SIZE; // 8
export const FINISH_ENCRYPTED_PAYLOAD_SIZE = 0 + TAG_SIZE; // 16
export const FINISH_OFFSET_PAYLOAD = FINISH_OFFSET_STATIC + ENCRYPTED_STATIC_SIZE; // 56
export const FINISH_OFFSET_MAC1 = FINISH_OFFSET_PAYLOAD + FINISH_ENCRYPTED_PAYLOAD_SIZE; // 72
export const FINISH_OFFSET_MAC2 = FINISH_OFFSET_MAC1 + MAC_SIZE; // 88
export const FINISH_SIZE = FINISH_OFFSET_MAC2 + MAC_SIZE; // 104

// --- 3 CookieReply (64 bytes) ------------------------------------------------------------------
export const COOKIE_OFFSET_RECEIVER = 4;
export const COOKIE_OFFSET_NONCE = COOKIE_OFFSET_RECEIVER + INDEX_SIZE; // 8
export const COOKIE_ENCRYPTED_SIZE = COOKIE_SIZE + TAG_SIZE; // 32
export const COOKIE_OFFSET_COOKIE = COOKIE_OFFSET_NONCE + COOKIE_NONCE_SIZE; // 32
export const COOKIE_REPLY_SIZE = COOKIE_OFFSET_COOKIE + COOKIE_ENCRYPTED_SIZE; // 64

// --- 4 Transport (16-byte header, then ciphertext of content type + body, then tag) -----------
export const TRANSPORT_OFFSET_RECEIVER = 4;
export const TRANSPORT_OFFSET_COUNTER = TRANSPORT_OFFSET_RECEIVER + INDEX_SIZE; // 8
export const TRANSPORT_HEADER_SIZE = TRANSPORT_OFFSET_COUNTER + COUNTER_SIZE; // 16
export const TRANSPORT_OFFSET_CONTENT = TRANSPORT_HEADER_SIZE; // 16
export const CONTENT_TYPE_SIZE = 1;
/** A keepalive: header, the encrypted content-type byte, tag. */
export const TRANSPORT_MIN_SIZE = TRANSPORT_HEADER_SIZE + CONTENT_TYPE_SIZE + TAG_SIZE; // 33

/** The first plaintext byte of a Transport frame. Receivers drop a content type they do not know. */
export enum ContentType {
  /** Empty body; keeps the session and NAT bindings alive. */
  Keepalive = 0,
  /** Body is one Babel packet (RFC 8966 §4.2), magic 42 first. */
  Control = 1,
}

// --- 5 Data (the overlay packet as relays see it) ----------------------------------------------
export const DATA_OFFSET_HOP_LIMIT = 1;
export const DATA_OFFSET_FLAGS = 2;
export const DATA_OFFSET_RESERVED = 3;
export const DATA_OFFSET_RECEIVER = 4;
export const DATA_OFFSET_SOURCE = DATA_OFFSET_RECEIVER + INDEX_SIZE; // 8
export const DATA_OFFSET_DESTINATION = DATA_OFFSET_SOURCE + ADDRESS_SIZE; // 24
/** Everything a relay reads or rewrites lies before this offset. */
export const DATA_RELAY_HEADER_SIZE = DATA_OFFSET_DESTINATION + ADDRESS_SIZE; // 40
export const DATA_OFFSET_KEY_ID = DATA_RELAY_HEADER_SIZE; // 40
export const DATA_OFFSET_COUNTER = DATA_OFFSET_KEY_ID + INDEX_SIZE; // 44
/** The sender's ephemeral key, when DATA_FLAG_EPHEMERAL is set; otherwise the ciphertext starts here. */
export const DATA_OFFSET_EPHEMERAL = DATA_OFFSET_COUNTER + COUNTER_SIZE; // 52
export const DATA_HEADER_SIZE = DATA_OFFSET_EPHEMERAL; // 52, without the ephemeral key
export const DATA_HEADER_SIZE_EPHEMERAL = DATA_OFFSET_EPHEMERAL + KEY_SIZE; // 84
/** The first byte of the end-to-end associated data: overlay source, destination, e2e header. */
export const DATA_AD_OFFSET = DATA_OFFSET_SOURCE; // 8
/** Flags: bit 0 says a 32-byte sender ephemeral key follows the counter. */
export const DATA_FLAG_EPHEMERAL = 0x01;
/** Every flag this version knows; any other bit set is a `bad-flags` drop at the receiver. */
export const DATA_FLAGS_KNOWN = DATA_FLAG_EPHEMERAL;
/** The smallest frame: header, empty plaintext, tag. */
export const DATA_MIN_SIZE = DATA_HEADER_SIZE + TAG_SIZE; // 68
/** Bytes a Data frame adds to the inner IPv6 packet, at most (ephemeral key present). */
export const DATA_OVERHEAD_MAX = DATA_HEADER_SIZE_EPHEMERAL + TAG_SIZE; // 100

// --- 6 DiscoveryBeacon (49 bytes, plaintext) ---------------------------------------------------
/** ASCII "HYPH". */
export const BEACON_MAGIC = Uint8Array.of(0x48, 0x59, 0x50, 0x48);
export const BEACON_VERSION = 1;
export const BEACON_OFFSET_MAGIC = FRAME_TYPE_SIZE; // 1
export const BEACON_OFFSET_VERSION = BEACON_OFFSET_MAGIC + BEACON_MAGIC.length; // 5
export const BEACON_OFFSET_FLAGS = BEACON_OFFSET_VERSION + 1; // 6
export const BEACON_OFFSET_PORT = BEACON_OFFSET_FLAGS + 1; // 7
export const BEACON_OFFSET_PUBLIC_KEY = BEACON_OFFSET_PORT + 2; // 9
export const BEACON_OFFSET_NETWORK_TAG = BEACON_OFFSET_PUBLIC_KEY + KEY_SIZE; // 41
export const BEACON_SIZE = BEACON_OFFSET_NETWORK_TAG + NETWORK_TAG_SIZE; // 49
/** The network tag of the public network. */
export const PUBLIC_NETWORK_TAG = new Uint8Array(NETWORK_TAG_SIZE);

// ---------------------------------------------------------------------------------------------
// Path MTU arithmetic
// ---------------------------------------------------------------------------------------------

export const IPV6_HEADER_SIZE = 40;
export const IPV4_HEADER_SIZE = 20;
export const UDP_HEADER_SIZE = 8;
/** Every IPv6 link must carry packets this large (RFC 8200 §5); the TUN MTU never goes below it. */
export const IPV6_MIN_MTU = 1280;
/** The underlay MTU the defaults assume: Ethernet. */
export const DEFAULT_UNDERLAY_MTU = 1500;
/** UDP payload that fits one unfragmented 1500-byte IPv6 packet: 1452. */
export const UNDERLAY_PAYLOAD_SIZE = DEFAULT_UNDERLAY_MTU - IPV6_HEADER_SIZE - UDP_HEADER_SIZE;
/**
 * The overlay (TUN) MTU: an inner packet this large, in a Data frame carrying the ephemeral key,
 * is exactly UNDERLAY_PAYLOAD_SIZE bytes: 1500 - 40 - 8 - 100 = 1352.
 */
export const DEFAULT_TUN_MTU = DEFAULT_UNDERLAY_MTU - IPV6_HEADER_SIZE - UDP_HEADER_SIZE - DATA_OVERHEAD_MAX;
/** The largest Babel packet a Transport frame carries without fragmenting: 1452 - 33 = 1419. */
export const MAX_CONTROL_BODY_SIZE = UNDERLAY_PAYLOAD_SIZE - TRANSPORT_MIN_SIZE;
/** The largest UDP payload that fits one IPv4 or IPv6 packet: 65535 - 20 - 8 = 65507. Encoders refuse more. */
export const MAX_DATAGRAM_SIZE = 0xffff - IPV4_HEADER_SIZE - UDP_HEADER_SIZE;

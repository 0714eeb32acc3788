/**
 * Numbers of the Babel wire format, kept by kind: what RFC 8966 and RFC 9616 fix, then what hypha
 * chose for its own extensions. TLV type numbers are the `TlvType` enum in types.ts.
 *
 * Offsets named `*_OFF_*` count from the first byte of a TLV's body, i.e. just after its Type and
 * Length octets; add TLV_HEADER_BYTES for the offset from the TLV's Type octet.
 * docs/protocol/routing-messages.md draws every layout.
 */

// ---------------------------------------------------------------------------------------------
// Specification constants (RFC 8966 §4, RFC 9616 §3)
// ---------------------------------------------------------------------------------------------

/** UDP port for Babel (RFC 8966 §5). */
export const BABEL_PORT = 6696;

/** Packet header: Magic(1) · Version(1) · Body length(2), RFC 8966 §4.2. */
export const PACKET_MAGIC = 42;
export const PACKET_VERSION = 2;
export const PACKET_HEADER_BYTES = 4;
export const PACKET_OFF_MAGIC = 0;
export const PACKET_OFF_VERSION = 1;
export const PACKET_OFF_BODY_LENGTH = 2;
/** The body length field is a u16. */
export const MAX_BODY_BYTES = 0xffff;

/** Every TLV but Pad1 starts with Type(1) · Length(1); Length excludes those two octets (§4.3). */
export const TLV_HEADER_BYTES = 2;
/** Pad1 is the single octet 0, with no Length and no body. */
export const PAD1_BYTES = 1;
/** The Length octet bounds a TLV body. */
export const TLV_MAX_BODY_BYTES = 0xff;
/** TLV types reserved for experimental use (RFC 8966 §6). hypha uses none of them. */
export const TLV_EXPERIMENTAL_MIN = 224;
export const TLV_EXPERIMENTAL_MAX = 254;

/** Address Encodings (§4.1.5): address bytes when not compressed. */
export const AE_IPV4_BYTES = 4;
export const AE_IPV6_BYTES = 16;
/** AE 3 carries only the low 8 bytes; fe80::/64 is implied. */
export const AE_LINK_LOCAL_WIRE_BYTES = 8;
export const AE_LINK_LOCAL_PLEN = 64;
export const AE_MAX_PLEN_IPV4 = AE_IPV4_BYTES * 8;
export const AE_MAX_PLEN_IPV6 = AE_IPV6_BYTES * 8;

/** Metric 0xFFFF means unreachable; an Update with it is a retraction (§2.1, §4.6.9). */
export const METRIC_INFINITY = 0xffff;
export const ROUTER_ID_BYTES = 8;

/** Ack Request (§4.6.3): Reserved(2) · Opaque(2) · Interval(2). */
export const ACK_REQUEST_MIN_BYTES = 6;
export const ACK_REQUEST_OFF_OPAQUE = 2;
export const ACK_REQUEST_OFF_INTERVAL = 4;

/** Ack (§4.6.4): Opaque(2). */
export const ACK_MIN_BYTES = 2;
export const ACK_OFF_OPAQUE = 0;

/** hypha Route Digest (type 225): Reserved(2) · Interval(2) · Count(4) · Hash hi(4) · Hash lo(4). */
export const ROUTE_DIGEST_MIN_BYTES = 16;
export const ROUTE_DIGEST_OFF_INTERVAL = 2;
export const ROUTE_DIGEST_OFF_COUNT = 4;
export const ROUTE_DIGEST_OFF_HI = 8;
export const ROUTE_DIGEST_OFF_LO = 12;

/** Hello (§4.6.5): Flags(2) · Seqno(2) · Interval(2). */
export const HELLO_MIN_BYTES = 6;
export const HELLO_OFF_FLAGS = 0;
export const HELLO_OFF_SEQNO = 2;
export const HELLO_OFF_INTERVAL = 4;
/** The U bit: the Hello was sent unicast. */
export const HELLO_FLAG_UNICAST = 0x8000;

/** IHU (§4.6.6): AE(1) · Reserved(1) · Rxcost(2) · Interval(2) · Address(by AE). */
export const IHU_MIN_BYTES = 6;
export const IHU_OFF_AE = 0;
export const IHU_OFF_RXCOST = 2;
export const IHU_OFF_INTERVAL = 4;
export const IHU_OFF_ADDRESS = 6;

/** Router-Id (§4.6.7): Reserved(2) · Router-Id(8). */
export const ROUTER_ID_MIN_BYTES = 2 + ROUTER_ID_BYTES;
export const ROUTER_ID_OFF_ID = 2;

/** Next Hop (§4.6.8): AE(1) · Reserved(1) · Address(by AE). */
export const NEXT_HOP_MIN_BYTES = 2;
export const NEXT_HOP_OFF_AE = 0;
export const NEXT_HOP_OFF_ADDRESS = 2;

/** Update (§4.6.9): AE(1) · Flags(1) · Plen(1) · Omitted(1) · Interval(2) · Seqno(2) · Metric(2) · Prefix. */
export const UPDATE_MIN_BYTES = 10;
export const UPDATE_OFF_AE = 0;
export const UPDATE_OFF_FLAGS = 1;
export const UPDATE_OFF_PLEN = 2;
export const UPDATE_OFF_OMITTED = 3;
export const UPDATE_OFF_INTERVAL = 4;
export const UPDATE_OFF_SEQNO = 6;
export const UPDATE_OFF_METRIC = 8;
export const UPDATE_OFF_PREFIX = 10;
/** This Update's prefix becomes the default prefix for its AE (Omitted bytes are copied from it). */
export const UPDATE_FLAG_DEFAULT_PREFIX = 0x80;
/** The router id is the low 8 bytes of this Update's (IPv6) prefix. */
export const UPDATE_FLAG_ROUTER_ID = 0x40;

/** Route Request (§4.6.10): AE(1) · Plen(1) · Prefix. */
export const ROUTE_REQUEST_MIN_BYTES = 2;
export const ROUTE_REQUEST_OFF_AE = 0;
export const ROUTE_REQUEST_OFF_PLEN = 1;
export const ROUTE_REQUEST_OFF_PREFIX = 2;

/** Seqno Request (§4.6.11): AE(1) · Plen(1) · Seqno(2) · Hop Count(1) · Reserved(1) · Router-Id(8) · Prefix. */
export const SEQNO_REQUEST_MIN_BYTES = 14;
export const SEQNO_REQUEST_OFF_AE = 0;
export const SEQNO_REQUEST_OFF_PLEN = 1;
export const SEQNO_REQUEST_OFF_SEQNO = 2;
export const SEQNO_REQUEST_OFF_HOP_COUNT = 4;
export const SEQNO_REQUEST_OFF_ROUTER_ID = 6;
export const SEQNO_REQUEST_OFF_PREFIX = 14;

/** Sub-TLVs (§4.4): same framing as TLVs, Pad1 included; type bit 0x80 is the mandatory bit. */
export const SUBTLV_PAD1 = 0;
export const SUBTLV_PADN = 1;
export const SUBTLV_MANDATORY_BIT = 0x80;
/** Sub-TLV types reserved for experimental use (RFC 8966 §6). */
export const SUBTLV_EXPERIMENTAL_MIN = 112;
export const SUBTLV_EXPERIMENTAL_MAX = 126;
export const SUBTLV_EXPERIMENTAL_MANDATORY_MIN = 240;
export const SUBTLV_EXPERIMENTAL_MANDATORY_MAX = 254;

/** RFC 9616 §3: Timestamp sub-TLV; microseconds, wrapping u32. */
export const SUBTLV_TIMESTAMP = 3;
/** On Hello: Transmit(4). */
export const HELLO_TIMESTAMP_BYTES = 4;
/** On IHU: Origin(4) · Receive(4). */
export const IHU_TIMESTAMP_BYTES = 8;

// ---------------------------------------------------------------------------------------------
// Implementation constants (hypha's extensions, all in RFC 8966 §6 experimental ranges)
// ---------------------------------------------------------------------------------------------

/**
 * Originator sub-TLV, on Update and Seqno Request: the originator's Ed25519 public key (32 bytes).
 * Mandatory, so a plain Babel node ignores the enclosing TLV rather than act on half of it.
 */
export const SUBTLV_HYPHA_ORIGINATOR = 240;
/** Signature sub-TLV, on Update: Ed25519 over updateSignedBytes() (64 bytes). Mandatory. */
export const SUBTLV_HYPHA_SIGNATURE = 241;
/**
 * Hop-count sub-TLV, on Route Request: how many more hops the request may be forwarded (1 byte).
 * Not mandatory: a plain Babel node answers the request as an ordinary one.
 */
export const SUBTLV_HYPHA_HOP_COUNT = 112;

export const ORIGINATOR_KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;
export const HOP_COUNT_BYTES = 1;

/** Domain-separation tag at the start of the bytes an Update signature covers (ASCII, no terminator). */
export const UPDATE_SIGNATURE_TAG = 'hypha-update-v1';

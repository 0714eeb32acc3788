/**
 * The decoded form of hypha's routing messages: RFC 8966 Babel TLVs plus hypha's extensions
 * (carried in sub-TLVs of experimental types, so a standard Babel decoder still parses every
 * packet). This file is the contract between the codec (src/wire/babel/) and the routing engine
 * (src/routing/): the engine consumes and produces these objects and never sees bytes.
 *
 * Units: intervals are centiseconds (u16) as on the wire; seqnos are u16 modular; metrics are u16
 * with 0xFFFF as infinity; addresses are raw bytes (16 for IPv6, 4 for IPv4).
 */

/** Address Encodings, RFC 8966 §4.1.5. hypha sends only Wildcard and IPv6. */
export enum AE {
  Wildcard = 0,
  IPv4 = 1,
  IPv6 = 2,
  LinkLocalIPv6 = 3,
}

/** TLV types, RFC 8966 §4.6 (values are on the wire). */
export enum TlvType {
  Pad1 = 0,
  PadN = 1,
  AckRequest = 2,
  Ack = 3,
  Hello = 4,
  IHU = 5,
  RouterId = 6,
  NextHop = 7,
  Update = 8,
  RouteRequest = 9,
  SeqnoRequest = 10,
  /** hypha: what the sender announces to this neighbour, as a count and a hash (experimental range 224–254; 224 stays unassigned as the test vectors' unknown type). */
  RouteDigest = 225,
}

/** A prefix with its address encoding. `addr` is always full length for its AE (16 or 4 bytes, host bits zero). */
export interface Prefix {
  readonly ae: AE;
  readonly plen: number;
  readonly addr: Uint8Array;
}

/** A sub-TLV the codec does not interpret, kept so it can be re-encoded unchanged. */
export interface UnknownSubTlv {
  readonly type: number;
  readonly body: Uint8Array;
}

/** RFC 9616 timestamps in microseconds, wrapping u32. */
export interface HelloTimestamp {
  readonly transmit: number;
}
export interface IhuTimestamp {
  readonly origin: number;
  readonly receive: number;
}

export interface PadN {
  readonly type: TlvType.PadN;
  readonly length: number;
}
export interface AckRequest {
  readonly type: TlvType.AckRequest;
  readonly opaque: number;
  readonly interval: number;
}
export interface Ack {
  readonly type: TlvType.Ack;
  readonly opaque: number;
}
/**
 * hypha's Route Digest: the sender's periodic refresh in one TLV. `count` routes and the XOR of
 * their 64-bit hashes (hi, lo) summarize every (prefix, seqno, metric) it announces to this
 * neighbour; `interval` (cs) is the refresh interval, as in an Update.
 */
export interface RouteDigest {
  readonly type: TlvType.RouteDigest;
  readonly interval: number;
  readonly count: number;
  readonly hi: number;
  readonly lo: number;
}
export interface Hello {
  readonly type: TlvType.Hello;
  readonly unicast: boolean;
  readonly seqno: number;
  readonly interval: number;
  readonly timestamp?: HelloTimestamp;
  readonly unknownSubTlvs?: readonly UnknownSubTlv[];
}
export interface Ihu {
  readonly type: TlvType.IHU;
  readonly rxcost: number;
  readonly interval: number;
  /** AE Wildcard means "any"; hypha links are point-to-point and send Wildcard. */
  readonly ae: AE;
  readonly address: Uint8Array;
  readonly timestamp?: IhuTimestamp;
  readonly unknownSubTlvs?: readonly UnknownSubTlv[];
}
export interface RouterId {
  readonly type: TlvType.RouterId;
  /** 8 bytes. hypha sends the first 8 bytes of the originator's Ed25519 key. */
  readonly routerId: Uint8Array;
}
export interface NextHop {
  readonly type: TlvType.NextHop;
  readonly ae: AE;
  readonly address: Uint8Array;
}

/**
 * An Update, with the prefix expanded (omitted bytes restored) and the router id resolved from the
 * preceding Router-Id TLV. hypha's extensions: the originator's 32-byte Ed25519 key and a 64-byte
 * signature over (prefix, plen, seqno, originator key); both absent on a retraction.
 */
export interface Update {
  readonly type: TlvType.Update;
  /**
   * The Flags octet as received. When encoding, the codec owns bits 0x80 (default prefix, set when
   * compressing) and 0x40 (router id from prefix, never set: router ids travel in Router-Id TLVs);
   * the other bits are sent as given.
   */
  readonly flags: number;
  readonly interval: number;
  readonly seqno: number;
  readonly metric: number;
  readonly prefix: Prefix;
  /**
   * The 8-byte router id in force for this Update (from Router-Id TLV or flag 0x40); undefined if none.
   * When encoding, a Router-Id TLV is inserted before this Update if the id differs from the one in force.
   */
  readonly routerId?: Uint8Array;
  readonly originator?: Uint8Array;
  readonly signature?: Uint8Array;
  readonly unknownSubTlvs?: readonly UnknownSubTlv[];
}
export interface RouteRequest {
  readonly type: TlvType.RouteRequest;
  /** AE Wildcard asks for a full dump. */
  readonly prefix: Prefix;
  /** hypha extension: how many more hops this request may be forwarded. Absent = not forwarded (plain RFC 8966). */
  readonly hopCount?: number;
  readonly unknownSubTlvs?: readonly UnknownSubTlv[];
}
export interface SeqnoRequest {
  readonly type: TlvType.SeqnoRequest;
  readonly seqno: number;
  readonly hopCount: number;
  /** 8 bytes on the wire. */
  readonly routerId: Uint8Array;
  readonly prefix: Prefix;
  /** hypha extension: the full 32-byte originator key the 8-byte router id abbreviates. */
  readonly originator?: Uint8Array;
  readonly unknownSubTlvs?: readonly UnknownSubTlv[];
}
/** A TLV of a type the codec does not know; skipped by receivers (RFC 8966 §4.3). */
export interface UnknownTlv {
  readonly type: number;
  readonly body: Uint8Array;
}

export type Tlv =
  | PadN
  | AckRequest
  | Ack
  | Hello
  | Ihu
  | RouterId
  | NextHop
  | Update
  | RouteRequest
  | SeqnoRequest
  | RouteDigest;

/**
 * The routing-relevant messages of one packet, in order. Pad1 is always dropped; PadN and unknown
 * TLVs are dropped unless decodePacket is asked to keep them (`keepPadding`, `keepUnknown`).
 */
export interface BabelPacket {
  readonly tlvs: readonly Tlv[];
  /**
   * TLVs skipped, counted for metrics: unknown type, unknown AE, an unknown mandatory sub-TLV, or a
   * wildcard Update with a finite metric.
   */
  readonly ignored: number;
  /** TLVs of unknown type, in order; present only when decoded with `keepUnknown`. */
  readonly unknownTlvs?: readonly UnknownTlv[];
}

/** Why a packet or TLV could not be decoded. Stable codes, for drop counters. */
export type BabelDecodeErrorCode =
  | 'short-packet'
  | 'bad-magic'
  | 'bad-version'
  | 'body-length'
  | 'truncated-tlv'
  | 'tlv-too-short'
  | 'bad-ae'
  | 'bad-plen'
  | 'bad-omitted'
  | 'bad-subtlv'
  | 'bad-extension';

export interface BabelDecodeError {
  readonly code: BabelDecodeErrorCode;
  /** Byte offset in the packet where the problem was found. */
  readonly offset: number;
  readonly message: string;
}

export type DecodeResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: BabelDecodeError };

/**
 * The decoded form of hypha's link frames (src/wire/link/). Byte fields are views into the decoded
 * datagram, not copies: copy any you keep past the life of the receive buffer (pools reuse it).
 * Every encrypted field includes its 16-byte tag at its end, as the AEAD produces it.
 */
import type { ContentType, FrameType } from './constants.js';

/** Frame 1: the initiator's first handshake message, Noise XXpsk0 `-> psk, e`. */
export interface HandshakeInitiation {
  readonly type: FrameType.HandshakeInitiation;
  /** u32 the initiator picked; the responder sends it back as its receiver index. */
  readonly senderIndex: number;
  /** The initiator's unencrypted ephemeral X25519 key, 32 bytes. */
  readonly ephemeral: Uint8Array;
  /** An empty payload sealed under the network-key-derived key: only the 16-byte tag. */
  readonly encryptedPayload: Uint8Array;
  readonly mac1: Uint8Array;
  /** All zero unless the responder asked for a cookie. */
  readonly mac2: Uint8Array;
}

/** Frame 2: the responder's answer, `<- e, ee, s, es`. */
export interface HandshakeResponse {
  readonly type: FrameType.HandshakeResponse;
  /** u32 the responder picked; the initiator sends it back in the HandshakeFinish. */
  readonly senderIndex: number;
  /** The initiator's sender index. */
  readonly receiverIndex: number;
  readonly ephemeral: Uint8Array;
  /** The responder's Ed25519 identity key, encrypted: 32 + 16 bytes. */
  readonly encryptedStatic: Uint8Array;
  /** An empty payload, sealed: only the 16-byte tag. */
  readonly encryptedPayload: Uint8Array;
  readonly mac1: Uint8Array;
  readonly mac2: Uint8Array;
}

/** Frame 7: the initiator's last handshake message, `-> s, se`. */
export interface HandshakeFinish {
  readonly type: FrameType.HandshakeFinish;
  /** The responder's sender index. */
  readonly receiverIndex: number;
  /** The initiator's Ed25519 identity key, encrypted: 32 + 16 bytes. */
  readonly encryptedStatic: Uint8Array;
  /** An empty payload, sealed: only the 16-byte tag. */
  readonly encryptedPayload: Uint8Array;
  readonly mac1: Uint8Array;
  readonly mac2: Uint8Array;
}

/** Frame 3: a responder under load asks the sender to retry with mac2 set from this cookie. */
export interface CookieReply {
  readonly type: FrameType.CookieReply;
  /** The sender index of the handshake message this answers. */
  readonly receiverIndex: number;
  /** 24 random bytes; the key that seals the cookie is derived from them. */
  readonly nonce: Uint8Array;
  /** 16-byte cookie + 16-byte tag. */
  readonly encryptedCookie: Uint8Array;
}

/** Frame 4: a message on an established link session (control traffic and keepalives). */
export interface TransportFrame {
  readonly type: FrameType.Transport;
  readonly receiverIndex: number;
  /** Nonce counter, 0..COUNTER_MAX. */
  readonly counter: number;
  /** The sealed content type + body, tag included: at least 17 bytes. */
  readonly ciphertext: Uint8Array;
}

/** The plaintext inside a Transport frame. */
export interface TransportContent {
  readonly contentType: ContentType;
  /** Empty for a keepalive; a Babel packet for control. A view into the plaintext. */
  readonly body: Uint8Array;
}

/** Frame 5: an overlay packet, end-to-end encrypted, as every relay on the path sees it. */
export interface DataFrame {
  readonly type: FrameType.Data;
  /** 1..255; each relay decrements it in place. */
  readonly hopLimit: number;
  /** DATA_FLAG_* bits; the decoder accepts only known ones. */
  readonly flags: number;
  /** Index of the link session at the next receiver; each relay rewrites it in place. */
  readonly receiverIndex: number;
  /** Overlay source and destination addresses, 16 bytes each. */
  readonly source: Uint8Array;
  readonly destination: Uint8Array;
  /** Which end-to-end key the sender used (u32). */
  readonly keyId: number;
  /** End-to-end nonce counter, 0..COUNTER_MAX. */
  readonly counter: number;
  /** The sender's ephemeral X25519 key, present exactly when DATA_FLAG_EPHEMERAL is set. */
  readonly ephemeral?: Uint8Array;
  /** The sealed inner IPv6 packet, tag included: at least 16 bytes. */
  readonly ciphertext: Uint8Array;
}

/** Frame 6: a plaintext hint on the local link that a hypha node listens here. */
export interface DiscoveryBeacon {
  readonly type: FrameType.DiscoveryBeacon;
  readonly version: number;
  /** None defined in version 1; receivers ignore bits they do not know. */
  readonly flags: number;
  /** UDP port the sender accepts handshakes on, 1..65535. */
  readonly port: number;
  /** The sender's Ed25519 identity key. Unauthenticated: the handshake proves it. */
  readonly publicKey: Uint8Array;
  /** 8 bytes: all zero on the public network. */
  readonly networkTag: Uint8Array;
}

export type LinkFrame =
  | HandshakeInitiation
  | HandshakeResponse
  | HandshakeFinish
  | CookieReply
  | TransportFrame
  | DataFrame
  | DiscoveryBeacon;

/** Why a datagram (or a Transport plaintext) was dropped. Stable codes, used as drop-counter labels. */
export type LinkDecodeErrorCode =
  /** Shorter than the smallest frame of its type (variable-size types, or an empty datagram). */
  | 'truncated'
  /** A fixed-size type with any other length. */
  | 'bad-length'
  /** Byte 0 is no frame type this version knows. */
  | 'unknown-type'
  /** A decoder for one type was handed another. */
  | 'wrong-type'
  /** A reserved byte is not zero. */
  | 'bad-reserved'
  /** A Data frame sets a flag bit this version does not know. */
  | 'bad-flags'
  /** A Data frame with hop limit 0. */
  | 'bad-hop-limit'
  /** A counter above COUNTER_MAX. */
  | 'bad-counter'
  | 'bad-magic'
  | 'bad-version'
  /** A beacon advertising port 0. */
  | 'bad-port'
  /** A Transport plaintext with a content type this version does not know. */
  | 'unknown-content'
  /** A Transport plaintext whose body length does not suit its content type (a non-empty keepalive). */
  | 'bad-content-length';

export interface LinkDecodeError {
  readonly code: LinkDecodeErrorCode;
  /** Byte offset in the datagram where the problem was found. */
  readonly offset: number;
  readonly message: string;
}

export type LinkDecodeResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: LinkDecodeError };

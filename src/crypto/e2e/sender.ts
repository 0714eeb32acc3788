/**
 * The sending half of end-to-end encryption: one send key per destination, each made from a fresh
 * X25519 ephemeral key pair, replaced every EPOCH_MS.
 *
 * Sealing a packet, in order:
 *   1. find the destination's send key; make a new one if there is none, it is EPOCH_MS old, or
 *      it has sealed REKEY_AFTER_MESSAGES packets (a new ephemeral, so a new key and counters from 0);
 *   2. take the next counter (strictly increasing per key; the key's state is never recreated);
 *   3. write the Data header, with the ephemeral public key until the destination acknowledges it;
 *   4. seal the packet under the key, nonce = counter, AD = dataAssociatedData(frame).
 *
 * Nonce discipline: a key is a function of a fresh 32-byte ephemeral secret, so a restart, an
 * eviction or a rotation always yields a new key; within a key the counter only goes up.
 */
import type { KeyObject } from 'node:crypto';
import type { NodeIdentity, PublicIdentity } from '../../identity/keys.js';
import {
  DATA_HEADER_SIZE,
  DATA_HEADER_SIZE_EPHEMERAL,
  MAX_DATAGRAM_SIZE,
  TAG_SIZE,
} from '../../wire/link/constants.js';
import { dataAssociatedData, writeDataHeader } from '../../wire/link/data.js';
import { type AeadKey, aeadKey, sealInto } from '../aead.js';
import { addressKey, type PeerStatic, type PeerStatics, samePrefix64 } from './_peers.js';
import {
  CONTROL_HOP_LIMIT,
  CONTROL_SIZE,
  ControlType,
  type E2eAlgorithmId,
  EPOCH_MS,
  HOP_LIMIT_REPORT_SIZE,
  INNER_IPV6_NIBBLE,
  IPV6_HEADER_BYTES,
  IPV6_OFFSET_DESTINATION,
  IPV6_OFFSET_SOURCE,
  MAX_DESTINATIONS,
  REKEY_AFTER_MESSAGES,
  X25519_KEY_BYTES,
} from './constants.js';
import { algorithmName, deriveKeyId, deriveSendKey } from './kdf.js';
import { x25519Agree, x25519PrivateKey, x25519PublicFromPrivate } from './x25519.js';

/** Why a packet was not sealed; a metrics label. */
export type E2eSendDropReason =
  | 'not-ipv6' // not an IPv6 packet (version nibble, or shorter than its fixed header)
  | 'source-not-ours' // inner source outside this node's /64
  | 'destination-mismatch' // inner destination outside the destination node's /64
  | 'too-large' // the frame would exceed the largest UDP payload
  | 'bad-peer-key'; // the destination's X25519 key is of low order: no key can be agreed

export const E2E_SEND_DROP_REASONS: readonly E2eSendDropReason[] = [
  'not-ipv6',
  'source-not-ours',
  'destination-mismatch',
  'too-large',
  'bad-peer-key',
];

export type E2eSealResult = { ok: true; frame: Uint8Array } | { ok: false; reason: E2eSendDropReason };

/** A send key and its state. */
interface SendKey {
  readonly peer: PeerStatic;
  readonly keyId: number;
  readonly key: AeadKey;
  /** E_S, attached to frames until `acked`. The secret half was erased after the one agreement. */
  readonly ephemeral: Uint8Array;
  /** When the key was made (ms); it is replaced EPOCH_MS later. */
  readonly created: number;
  /** The next counter to use. */
  counter: number;
  /** True once the destination acknowledged this key id; frames then omit the ephemeral key. */
  acked: boolean;
}

/** Options shared by the sender and the receiver. */
export interface E2eSenderOptions {
  readonly identity: NodeIdentity;
  readonly algorithm: E2eAlgorithmId;
  readonly randomBytes: (n: number) => Uint8Array;
  readonly statics: PeerStatics;
  readonly maxDestinations?: number;
}

/** Seals overlay packets for their destination node. */
export class E2eSender {
  private readonly keys = new Map<string, SendKey>();
  private readonly maxDestinations: number;
  /** Keys made so far (new destination, rotation, rekey or re-made after eviction). */
  keysCreated = 0;
  readonly drops: Record<E2eSendDropReason, number>;

  constructor(private readonly opts: E2eSenderOptions) {
    this.maxDestinations = opts.maxDestinations ?? MAX_DESTINATIONS;
    this.drops = Object.fromEntries(E2E_SEND_DROP_REASONS.map((r) => [r, 0])) as Record<
      E2eSendDropReason,
      number
    >;
  }

  /**
   * Seals an IPv6 packet for `dst` and returns the whole Data frame, or a counted drop reason.
   * `hopLimit` and `receiverIndex` fill the relay part; the dataplane rewrites the index per hop.
   */
  seal(
    dst: PublicIdentity,
    hopLimit: number,
    receiverIndex: number,
    packet: Uint8Array,
    now: number,
  ): E2eSealResult {
    const own = this.opts.identity;
    if (packet.length < IPV6_HEADER_BYTES || packet[0]! >> 4 !== INNER_IPV6_NIBBLE)
      return this.drop('not-ipv6');
    if (!samePrefix64(packet, IPV6_OFFSET_SOURCE, own.address, 0)) return this.drop('source-not-ours');
    if (!samePrefix64(packet, IPV6_OFFSET_DESTINATION, dst.address, 0))
      return this.drop('destination-mismatch');
    return this.sealInner(dst, hopLimit, receiverIndex, packet, now);
  }

  /** Seals a 5-byte control message (type, key id) for `dst`; undefined if `dst` has a bad key. */
  sealControl(dst: PublicIdentity, type: ControlType, keyId: number, now: number): Uint8Array | undefined {
    const body = new Uint8Array(CONTROL_SIZE);
    body[0] = type;
    body[1] = keyId >>> 24;
    body[2] = (keyId >>> 16) & 0xff;
    body[3] = (keyId >>> 8) & 0xff;
    body[4] = keyId & 0xff;
    const r = this.sealInner(dst, CONTROL_HOP_LIMIT, 0, body, now);
    return r.ok ? r.frame : undefined;
  }

  /** Seals a HopLimitExceeded report for `dst` about its frame (keyId, counter); undefined on a bad key. */
  sealHopLimitReport(
    dst: PublicIdentity,
    keyId: number,
    counter: number,
    now: number,
  ): Uint8Array | undefined {
    const body = new Uint8Array(HOP_LIMIT_REPORT_SIZE);
    const view = new DataView(body.buffer);
    body[0] = ControlType.HopLimitExceeded;
    view.setUint32(1, keyId);
    view.setUint32(5, Math.floor(counter / 2 ** 32));
    view.setUint32(9, counter >>> 0);
    const r = this.sealInner(dst, CONTROL_HOP_LIMIT, 0, body, now);
    return r.ok ? r.frame : undefined;
  }

  /** Handles a KeyAck from `peerKey` (an address key): frames under that key id drop the ephemeral. */
  handleKeyAck(peerKey: string, keyId: number): void {
    const k = this.keys.get(peerKey);
    if (k !== undefined && k.keyId === keyId) k.acked = true;
  }

  /** Handles a KeyRequest: frames under that key id carry the ephemeral again until re-acknowledged. */
  handleKeyRequest(peerKey: string, keyId: number): void {
    const k = this.keys.get(peerKey);
    if (k !== undefined && k.keyId === keyId) k.acked = false;
  }

  /** Drops send keys EPOCH_MS old (their state is erased; a later packet makes a fresh key). */
  expireKeys(now: number): void {
    for (const [addr, k] of this.keys) if (now - k.created >= EPOCH_MS) this.keys.delete(addr);
  }

  /** Number of destinations with a live send key. */
  get size(): number {
    return this.keys.size;
  }

  /** The key id currently used for `dst`, if any (for diagnostics and tests). */
  currentKeyId(dst: PublicIdentity): number | undefined {
    return this.keys.get(addressKey(dst.address, 0))?.keyId;
  }

  private drop(reason: E2eSendDropReason): E2eSealResult {
    this.drops[reason]++;
    return { ok: false, reason };
  }

  private sealInner(
    dst: PublicIdentity,
    hopLimit: number,
    receiverIndex: number,
    plaintext: Uint8Array,
    now: number,
  ): E2eSealResult {
    const addr = addressKey(dst.address, 0);
    let k = this.keys.get(addr);
    if (k === undefined || now - k.created >= EPOCH_MS || k.counter >= REKEY_AFTER_MESSAGES) {
      k = this.makeKey(dst, now);
      if (k === undefined) return this.drop('bad-peer-key');
      this.keys.delete(addr);
      this.keys.set(addr, k);
      if (this.keys.size > this.maxDestinations) this.keys.delete(this.keys.keys().next().value!);
    }
    const headerLength = k.acked ? DATA_HEADER_SIZE : DATA_HEADER_SIZE_EPHEMERAL;
    const length = headerLength + plaintext.length + TAG_SIZE;
    if (length > MAX_DATAGRAM_SIZE) return this.drop('too-large');
    const counter = k.counter++;
    // Every byte is written below (header, ciphertext, tag): no need to zero it first.
    const frame = Buffer.allocUnsafe(length);
    writeDataHeader(frame, 0, {
      hopLimit,
      receiverIndex,
      source: this.opts.identity.address,
      destination: dst.address,
      keyId: k.keyId,
      counter,
      ephemeral: k.acked ? undefined : k.ephemeral,
    });
    sealInto(k.key, counter, dataAssociatedData(frame), plaintext, frame, headerLength);
    return { ok: true, frame };
  }

  /** Makes a send key for `dst` from a fresh ephemeral (two X25519 at most: es, and ss on a miss). */
  private makeKey(dst: PublicIdentity, now: number): SendKey | undefined {
    const peer = this.opts.statics.resolve(dst);
    if (peer === undefined) return undefined;
    const secret = this.opts.randomBytes(X25519_KEY_BYTES);
    if (secret.length !== X25519_KEY_BYTES) throw new RangeError('randomBytes returned the wrong length');
    let ephemeralKey: KeyObject;
    try {
      ephemeralKey = x25519PrivateKey(secret);
    } finally {
      secret.fill(0);
    }
    const ephemeral = x25519PublicFromPrivate(ephemeralKey);
    const es = x25519Agree(ephemeralKey, dst.x25519PublicKey);
    if (es === undefined) return undefined;
    const alg = this.opts.algorithm;
    const own = this.opts.identity.x25519PublicKey;
    const raw = deriveSendKey(alg, es, peer.ss, own, dst.x25519PublicKey, ephemeral);
    es.fill(0);
    const key = aeadKey(algorithmName(alg), raw);
    raw.fill(0);
    this.keysCreated++;
    return {
      peer,
      keyId: deriveKeyId(alg, own, dst.x25519PublicKey, ephemeral),
      key,
      ephemeral,
      created: now,
      counter: 0,
      acked: false,
    };
  }
}

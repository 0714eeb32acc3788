/**
 * The receiving half of end-to-end encryption: (source, key id) → key, replay window, timestamps.
 *
 * Opening a Data frame, in order:
 *   1. check the frame (codec), that it is addressed to this node, and find the source's state;
 *   2. find the key by id; an unknown id needs the ephemeral key in the frame (else a counted drop
 *      and a rate-limited KeyRequest to the source). With it: recompute the key id from the
 *      ephemeral (must match), one X25519 with our static, HKDF. Derivations draw on a token bucket;
 *   3. replay check, AEAD open (AD = dataAssociatedData), and only then record the counter;
 *   4. a new key is kept (bounded per source and in total);
 *   5. the plaintext is an IPv6 packet whose source lies in the sender's /64 and whose destination
 *      lies in ours, or a control message for the sender half; then a frame that carried the
 *      ephemeral key is acknowledged with a KeyAck (at most once per ACK_RETRY_MS per key).
 *
 * Nothing here throws on wire input: every failure is an E2eDropReason, counted.
 */
import type { KeyObject } from 'node:crypto';
import { type PublicIdentity, publicIdentityFromEd25519 } from '../../identity/keys.js';
import { equalAt } from '../../util/bytes.js';
import {
  DATA_FLAG_EPHEMERAL,
  DATA_OFFSET_DESTINATION,
  DATA_OFFSET_EPHEMERAL,
  DATA_OFFSET_FLAGS,
  DATA_OFFSET_SOURCE,
} from '../../wire/link/constants.js';
import {
  checkData,
  dataAssociatedData,
  dataHeaderLength,
  readDataCounter,
  readDataKeyId,
} from '../../wire/link/data.js';
import { type AeadKey, aeadKey, open as aeadOpen } from '../aead.js';
import { ReplayWindow } from '../replay.js';
import { addressKey, type PeerStatic, type PeerStatics, sameAddress, samePrefix64 } from './_peers.js';
import {
  ACK_RETRY_MS,
  CONTROL_SIZE,
  ControlType,
  DERIVE_BURST,
  DERIVE_PER_SECOND,
  HOP_LIMIT_REPORT_SIZE,
  INNER_IPV6_NIBBLE,
  IPV6_HEADER_BYTES,
  IPV6_OFFSET_DESTINATION,
  IPV6_OFFSET_SOURCE,
  KEY_IDLE_MS,
  KEY_MAX_AGE_MS,
  KEYS_PER_SOURCE,
  MAX_SOURCES,
  REQUEST_INTERVAL_MS,
  RETIRED_PER_SOURCE,
  SOURCE_IDLE_MS,
  X25519_KEY_BYTES,
} from './constants.js';
import { algorithmName, algorithmOfKeyId, deriveKeyId, deriveSendKey } from './kdf.js';
import type { E2eSender } from './sender.js';
import { x25519Agree } from './x25519.js';

/** Why a Data frame was not delivered; a metrics label. */
export type E2eDropReason =
  | 'malformed' // the Data codec refused the frame
  | 'not-for-us' // the overlay destination is not this node's address
  | 'unknown-source' // no Ed25519 key is known for the overlay source address
  | 'source-key-mismatch' // the key the lookup returned does not derive the overlay source address
  | 'bad-peer-key' // the source's X25519 key is of low order
  | 'unknown-key-id' // key id not cached and no ephemeral key in the frame
  | 'stale-key' // key id retired (expired, evicted or past KEY_MAX_AGE_MS); never re-derived
  | 'bad-key-id' // the ephemeral key in the frame does not hash to the key id
  | 'bad-ephemeral' // the ephemeral key is of low order
  | 'rate-limited' // key derivation budget spent
  | 'replay' // counter already seen or behind the window
  | 'bad-tag' // the AEAD tag does not verify (wrong key, tampered bytes or AD)
  | 'bad-inner' // empty plaintext, unknown first byte, truncated IPv6 header, bad control length
  | 'source-mismatch' // inner IPv6 source outside the sender's /64
  | 'destination-mismatch'; // inner IPv6 destination outside our /64

export const E2E_DROP_REASONS: readonly E2eDropReason[] = [
  'malformed',
  'not-for-us',
  'unknown-source',
  'source-key-mismatch',
  'bad-peer-key',
  'unknown-key-id',
  'stale-key',
  'bad-key-id',
  'bad-ephemeral',
  'rate-limited',
  'replay',
  'bad-tag',
  'bad-inner',
  'source-mismatch',
  'destination-mismatch',
];

/** The result of open(): a packet for the TUN, a consumed control message, or a drop. */
export type E2eOpenResult =
  | { ok: true; kind: 'packet'; packet: Uint8Array; source: PublicIdentity }
  | { ok: true; kind: 'control'; source: PublicIdentity }
  /** A relay (`source`) reports that our frame (keyId, counter) ran out of hop limit there. */
  | { ok: true; kind: 'hop-limit'; source: PublicIdentity; keyId: number; counter: number }
  | { ok: false; reason: E2eDropReason };

/** Returns the Ed25519 key of the node that owns an overlay address, if routing knows it. */
export type SourceKeyLookup = (sourceAddress: Uint8Array) => Uint8Array | undefined;

/** Where the receiver hands control messages it originates (acks and requests). */
export interface E2eControlSink {
  /** Queue a sealed control frame for `destination`. */
  pushControl(destination: Uint8Array, frame: Uint8Array): void;
}

interface ReceiveKey {
  readonly keyId: number;
  readonly key: AeadKey;
  readonly ephemeral: Uint8Array;
  readonly replay: ReplayWindow;
  readonly created: number;
  lastUsed: number;
  /** When we last sent a KeyAck for it; -Infinity before the first. */
  lastAck: number;
}

interface SourceState {
  readonly peer: PeerStatic;
  readonly keys: ReceiveKey[];
  /** Key ids retired for this source: a ring, so replays of recently retired keys stay dead. */
  readonly retired: Uint32Array;
  retiredCount: number;
  lastUsed: number;
}

export interface E2eReceiverOptions {
  readonly identity: { readonly address: Uint8Array; readonly x25519PublicKey: Uint8Array };
  readonly ownStatic: KeyObject;
  readonly statics: PeerStatics;
  readonly sender: E2eSender;
  readonly sink: E2eControlSink;
  readonly maxSources?: number;
}

const IDLE_TOUCH_MS = 1000;

/** Opens Data frames addressed to this node. */
export class E2eReceiver {
  private readonly sources = new Map<string, SourceState>();
  /** Last KeyRequest per source address key; bounded by maxSources, cleared when full. */
  private readonly requests = new Map<string, number>();
  private readonly maxSources: number;
  private tokens = DERIVE_BURST;
  private tokensAt = Number.NEGATIVE_INFINITY;
  readonly drops: Record<E2eDropReason, number>;
  /** Keys derived and kept (after their first packet authenticated). */
  keysDerived = 0;

  constructor(private readonly opts: E2eReceiverOptions) {
    this.maxSources = opts.maxSources ?? MAX_SOURCES;
    this.drops = Object.fromEntries(E2E_DROP_REASONS.map((r) => [r, 0])) as Record<E2eDropReason, number>;
  }

  /** Opens a Data frame addressed to this node. Never throws for wire input. */
  open(frame: Uint8Array, now: number, sourceKeyLookup: SourceKeyLookup): E2eOpenResult {
    // 1. frame, destination, source state
    if (checkData(frame) !== undefined) return this.drop('malformed');
    if (!sameAddress(frame, DATA_OFFSET_DESTINATION, this.opts.identity.address, 0))
      return this.drop('not-for-us');
    const srcKey = addressKey(frame, DATA_OFFSET_SOURCE);
    let state = this.sources.get(srcKey);

    // 2. the key
    const keyId = readDataKeyId(frame);
    const hasEphemeral = (frame[DATA_OFFSET_FLAGS]! & DATA_FLAG_EPHEMERAL) !== 0;
    let key: ReceiveKey | undefined;
    if (state !== undefined) {
      key = findKey(state, keyId);
      if (key !== undefined && (now - key.created >= KEY_MAX_AGE_MS || now - key.lastUsed >= KEY_IDLE_MS)) {
        retireKey(state, key);
        return this.drop('stale-key');
      }
      if (
        key !== undefined &&
        hasEphemeral &&
        !equalAt(frame, DATA_OFFSET_EPHEMERAL, key.ephemeral, 0, X25519_KEY_BYTES)
      )
        key = undefined;
      if (key === undefined && isRetired(state, keyId)) return this.drop('stale-key');
    }
    let fresh = false;
    let freshPeer: PeerStatic | undefined;
    if (key === undefined) {
      let peer = state?.peer;
      if (peer === undefined) {
        const resolved = this.resolveSource(frame, sourceKeyLookup, now);
        if (typeof resolved === 'string') return this.drop(resolved);
        peer = resolved;
      }
      if (!hasEphemeral) {
        this.maybeRequest(peer, keyId, now);
        return this.drop('unknown-key-id');
      }
      const derived = this.deriveKey(frame, keyId, peer, now);
      if (typeof derived === 'string') return this.drop(derived);
      key = derived;
      fresh = true;
      freshPeer = peer;
    }

    // 3. replay, then authenticate, then record
    const counter = readDataCounter(frame);
    if (!key.replay.check(counter)) return this.drop('replay');
    const headerLength = dataHeaderLength(frame[DATA_OFFSET_FLAGS]!);
    const plain = aeadOpen(key.key, counter, dataAssociatedData(frame), frame.subarray(headerLength));
    if (plain === undefined) return this.drop('bad-tag');
    key.replay.update(counter);
    key.lastUsed = now;

    // 4. keep a new key; source state is created only now, so forged frames cannot evict any
    if (state === undefined) state = this.newSourceState(srcKey, freshPeer!, now);
    else if (now - state.lastUsed >= IDLE_TOUCH_MS) {
      this.sources.delete(srcKey); // refresh the LRU position, at most once a second, only when authentic
      this.sources.set(srcKey, state);
    }
    state.lastUsed = now;
    if (fresh) this.keepKey(state, key);

    // 5. the plaintext; a control message is handled before we acknowledge, so that a KeyRequest
    // has already re-armed our own ephemeral key when the KeyAck below is sealed
    const result = this.deliver(state.peer, plain);
    if (hasEphemeral && now - key.lastAck >= ACK_RETRY_MS) {
      key.lastAck = now; // re-acknowledged while the sender still attaches the ephemeral key
      this.sendControl(state.peer, ControlType.KeyAck, keyId, now);
    }
    return result;
  }

  /** Drops keys idle for KEY_IDLE_MS or older than KEY_MAX_AGE_MS, and sources left with none. */
  expireKeys(now: number): void {
    for (const [addr, state] of this.sources) {
      for (let i = state.keys.length - 1; i >= 0; i--) {
        const k = state.keys[i]!;
        if (now - k.created >= KEY_MAX_AGE_MS || now - k.lastUsed >= KEY_IDLE_MS) retireKey(state, k);
      }
      // The retired ids outlive the keys, so replays of a retired key stay dead this long.
      if (state.keys.length === 0 && now - state.lastUsed >= SOURCE_IDLE_MS) this.sources.delete(addr);
    }
    for (const [addr, at] of this.requests) if (now - at >= REQUEST_INTERVAL_MS) this.requests.delete(addr);
  }

  /** Sources with key state, and live keys in total (for metrics and the bound tests). */
  get size(): { sources: number; keys: number; requests: number } {
    let keys = 0;
    for (const s of this.sources.values()) keys += s.keys.length;
    return { sources: this.sources.size, keys, requests: this.requests.size };
  }

  private drop(reason: E2eDropReason): E2eOpenResult {
    this.drops[reason]++;
    return { ok: false, reason };
  }

  private resolveSource(frame: Uint8Array, lookup: SourceKeyLookup, now: number): PeerStatic | E2eDropReason {
    const srcKey = addressKey(frame, DATA_OFFSET_SOURCE);
    const cached = this.opts.statics.find(srcKey);
    if (cached !== undefined) return cached;
    const ed = lookup(frame.subarray(DATA_OFFSET_SOURCE, DATA_OFFSET_DESTINATION));
    if (ed === undefined || ed.length !== 32) return 'unknown-source';
    let identity: PublicIdentity;
    try {
      identity = publicIdentityFromEd25519(ed);
    } catch {
      return 'source-key-mismatch'; // not a point on the curve
    }
    if (!sameAddress(identity.address, 0, frame, DATA_OFFSET_SOURCE)) return 'source-key-mismatch';
    if (!this.takeToken(now)) return 'rate-limited'; // the static agreement is an X25519 too
    return this.opts.statics.resolve(identity) ?? 'bad-peer-key';
  }

  private deriveKey(
    frame: Uint8Array,
    keyId: number,
    peer: PeerStatic,
    now: number,
  ): ReceiveKey | E2eDropReason {
    const ephemeral = frame.slice(DATA_OFFSET_EPHEMERAL, DATA_OFFSET_EPHEMERAL + X25519_KEY_BYTES);
    const alg = algorithmOfKeyId(keyId);
    const own = this.opts.identity.x25519PublicKey;
    const peerX = peer.identity.x25519PublicKey;
    if (deriveKeyId(alg, peerX, own, ephemeral) !== keyId) return 'bad-key-id';
    if (!this.takeToken(now)) return 'rate-limited';
    const es = x25519Agree(this.opts.ownStatic, ephemeral);
    if (es === undefined) return 'bad-ephemeral';
    const raw = deriveSendKey(alg, es, peer.ss, peerX, own, ephemeral);
    es.fill(0);
    const key = aeadKey(algorithmName(alg), raw);
    raw.fill(0);
    return {
      keyId,
      key,
      ephemeral,
      replay: new ReplayWindow(),
      created: now,
      lastUsed: now,
      lastAck: Number.NEGATIVE_INFINITY,
    };
  }

  /** Token bucket for X25519 work on receive: DERIVE_BURST deep, refilled at DERIVE_PER_SECOND. */
  private takeToken(now: number): boolean {
    if (now > this.tokensAt) {
      if (this.tokensAt !== Number.NEGATIVE_INFINITY) {
        this.tokens = Math.min(
          DERIVE_BURST,
          this.tokens + ((now - this.tokensAt) * DERIVE_PER_SECOND) / 1000,
        );
      }
      this.tokensAt = now;
    }
    if (this.tokens < 1) return false;
    this.tokens--;
    return true;
  }

  private newSourceState(srcKey: string, peer: PeerStatic, now: number): SourceState {
    const state: SourceState = {
      peer,
      keys: [],
      retired: new Uint32Array(RETIRED_PER_SOURCE),
      retiredCount: 0,
      lastUsed: now,
    };
    this.sources.set(srcKey, state);
    if (this.sources.size > this.maxSources) this.sources.delete(this.sources.keys().next().value!);
    return state;
  }

  private keepKey(state: SourceState, key: ReceiveKey): void {
    const same = findKey(state, key.keyId);
    if (same !== undefined) retireKey(state, same, false); // a 31-bit collision within one source
    if (state.keys.length >= KEYS_PER_SOURCE) {
      let lru = state.keys[0]!;
      for (const k of state.keys) if (k.lastUsed < lru.lastUsed) lru = k;
      retireKey(state, lru);
    }
    state.keys.push(key);
    this.keysDerived++;
  }

  private maybeRequest(peer: PeerStatic, keyId: number, now: number): void {
    const last = this.requests.get(peer.key);
    if (last !== undefined && now - last < REQUEST_INTERVAL_MS) return;
    if (this.requests.size >= this.maxSources) this.requests.clear();
    this.requests.set(peer.key, now);
    this.sendControl(peer, ControlType.KeyRequest, keyId, now);
  }

  private sendControl(peer: PeerStatic, type: ControlType, keyId: number, now: number): void {
    const frame = this.opts.sender.sealControl(peer.identity, type, keyId, now);
    if (frame !== undefined) this.opts.sink.pushControl(peer.identity.address, frame);
  }

  private deliver(peer: PeerStatic, plain: Uint8Array): E2eOpenResult {
    if (plain.length === 0) return this.drop('bad-inner');
    const first = plain[0]!;
    if (first >> 4 === INNER_IPV6_NIBBLE) {
      if (plain.length < IPV6_HEADER_BYTES) return this.drop('bad-inner');
      if (!samePrefix64(plain, IPV6_OFFSET_SOURCE, peer.identity.address, 0))
        return this.drop('source-mismatch');
      if (!samePrefix64(plain, IPV6_OFFSET_DESTINATION, this.opts.identity.address, 0)) {
        return this.drop('destination-mismatch');
      }
      return { ok: true, kind: 'packet', packet: plain, source: peer.identity };
    }
    if (first === ControlType.HopLimitExceeded && plain.length === HOP_LIMIT_REPORT_SIZE) {
      const counter = readCounter(plain, 5);
      return { ok: true, kind: 'hop-limit', source: peer.identity, keyId: readU32(plain, 1), counter };
    }
    if (plain.length !== CONTROL_SIZE) return this.drop('bad-inner');
    const ackedId = readU32(plain, 1);
    if (first === ControlType.KeyAck) this.opts.sender.handleKeyAck(peer.key, ackedId);
    else if (first === ControlType.KeyRequest) this.opts.sender.handleKeyRequest(peer.key, ackedId);
    else return this.drop('bad-inner');
    return { ok: true, kind: 'control', source: peer.identity };
  }
}

function readU32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

function readCounter(b: Uint8Array, o: number): number {
  return readU32(b, o) * 0x1_0000_0000 + readU32(b, o + 4);
}

function findKey(state: SourceState, keyId: number): ReceiveKey | undefined {
  for (const k of state.keys) if (k.keyId === keyId) return k;
  return undefined;
}

function isRetired(state: SourceState, keyId: number): boolean {
  const n = Math.min(state.retiredCount, RETIRED_PER_SOURCE);
  for (let i = 0; i < n; i++) if (state.retired[i] === keyId) return true;
  return false;
}

/** Removes `key` from the source's live keys and, unless `remember` is false, notes its id as retired. */
function retireKey(state: SourceState, key: ReceiveKey, remember = true): void {
  const i = state.keys.indexOf(key);
  if (i >= 0) state.keys.splice(i, 1);
  if (remember) state.retired[state.retiredCount++ % RETIRED_PER_SOURCE] = key.keyId;
}

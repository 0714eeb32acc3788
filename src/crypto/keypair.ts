/**
 * The result of a link handshake (wireguard-go keypair.go): a pair of transport keys bound to the
 * two session indexes, a send counter, a replay window, and the age and message limits that decide
 * when to rekey and when to stop using it. Also the index table that finds a session or a pending
 * handshake by the receiver index of an incoming frame.
 */
import type { AeadKey } from './aead.js';
import {
  INDEX_ALLOCATION_TRIES,
  REJECT_AFTER_MESSAGES,
  REJECT_AFTER_TIME_MS,
  REKEY_AFTER_MESSAGES,
  REKEY_AFTER_TIME_MS,
  REKEY_AFTER_TIME_RECEIVING_MS,
} from './constants.js';
import { ReplayWindow } from './replay.js';

/** What the keypair allows at a given time: use it, use it but start a new handshake, or not at all. */
export type KeypairStatus = 'ok' | 'rekey' | 'reject';

export interface KeypairInit {
  readonly localIndex: number;
  readonly remoteIndex: number;
  readonly sendKey: AeadKey;
  readonly recvKey: AeadKey;
  readonly createdAt: number;
  readonly isInitiator: boolean;
  /** The peer's Ed25519 identity key, as its handshake proved it. */
  readonly peerPublicKey: Uint8Array;
  /** The Noise handshake hash, a unique name for this session (channel binding). */
  readonly handshakeHash: Uint8Array;
}

/** One direction-pair of transport keys between two neighbours. */
export class Keypair {
  readonly localIndex: number;
  readonly remoteIndex: number;
  readonly sendKey: AeadKey;
  readonly recvKey: AeadKey;
  /** Caller's monotonic ms when the handshake completed. */
  readonly createdAt: number;
  readonly isInitiator: boolean;
  readonly peerPublicKey: Uint8Array;
  readonly handshakeHash: Uint8Array;
  /** The counter the next sent message uses. */
  sendCounter = 0;
  /** Counters already received (RFC 6479): check before opening, update after it authenticated. */
  readonly replay = new ReplayWindow();

  constructor(init: KeypairInit) {
    this.localIndex = init.localIndex;
    this.remoteIndex = init.remoteIndex;
    this.sendKey = init.sendKey;
    this.recvKey = init.recvKey;
    this.createdAt = init.createdAt;
    this.isInitiator = init.isInitiator;
    this.peerPublicKey = Uint8Array.from(init.peerPublicKey);
    this.handshakeHash = Uint8Array.from(init.handshakeHash);
  }

  /** Age in ms at `now` (never negative). */
  age(now: number): number {
    return Math.max(0, now - this.createdAt);
  }

  /**
   * Whether sending at `now` is allowed: 'reject' past REJECT_AFTER_TIME_MS or REJECT_AFTER_MESSAGES;
   * 'rekey' (still send, but start a handshake) for the initiator past REKEY_AFTER_TIME_MS, and for
   * either side past REKEY_AFTER_MESSAGES.
   */
  sendStatus(now: number): KeypairStatus {
    if (this.age(now) >= REJECT_AFTER_TIME_MS || this.sendCounter > REJECT_AFTER_MESSAGES) return 'reject';
    if (this.sendCounter >= REKEY_AFTER_MESSAGES) return 'rekey';
    if (this.isInitiator && this.age(now) >= REKEY_AFTER_TIME_MS) return 'rekey';
    return 'ok';
  }

  /**
   * Whether receiving at `now` is allowed: 'reject' past REJECT_AFTER_TIME_MS; 'rekey' for the
   * initiator past REKEY_AFTER_TIME_RECEIVING_MS (so a one-way flow rekeys before it is cut off).
   */
  receiveStatus(now: number): KeypairStatus {
    if (this.age(now) >= REJECT_AFTER_TIME_MS) return 'reject';
    if (this.isInitiator && this.age(now) >= REKEY_AFTER_TIME_RECEIVING_MS) return 'rekey';
    return 'ok';
  }

  /** Takes the next send counter, or undefined when the keypair must not send any more. */
  nextSendCounter(now: number): number | undefined {
    if (this.sendStatus(now) === 'reject') return undefined;
    return this.sendCounter++;
  }
}

/**
 * Session indexes in use, each mapped to what it names (a pending handshake or a keypair). Indexes
 * are random u32s so that an off-path attacker cannot guess a live one, and are never handed out
 * twice while in the table.
 */
export class IndexTable<T> {
  private readonly entries = new Map<number, T>();

  /** Picks an unused random index for `value` and records it. Throws if none is found (a full table). */
  allocate(randomBytes: (n: number) => Uint8Array, value: T): number {
    for (let i = 0; i < INDEX_ALLOCATION_TRIES; i++) {
      const b = randomBytes(4);
      if (b.length !== 4) throw new RangeError('randomBytes returned the wrong length');
      const index = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
      if (!this.entries.has(index)) {
        this.entries.set(index, value);
        return index;
      }
    }
    throw new Error('no free session index');
  }

  get(index: number): T | undefined {
    return this.entries.get(index);
  }

  /** Points an index at a new value (a pending handshake that became a keypair keeps its index). */
  replace(index: number, value: T): void {
    if (!this.entries.has(index)) throw new RangeError(`index ${index} is not allocated`);
    this.entries.set(index, value);
  }

  delete(index: number): boolean {
    return this.entries.delete(index);
  }

  get size(): number {
    return this.entries.size;
  }
}

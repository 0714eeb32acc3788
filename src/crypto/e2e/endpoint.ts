/**
 * One node's end-to-end layer: the sender and receiver halves, their shared static-agreement
 * cache, and the queue of control messages (KeyAck, KeyRequest) the receiver originates.
 *
 * Driver contract (sans-IO): call seal() for each packet from the TUN and open() for each Data
 * frame addressed to this node; after open(), drain pollControl() and route each frame like any
 * other Data frame; call expireKeys(now) every few seconds. `now` is monotonic milliseconds and
 * never goes backwards. Randomness comes only from the injected `randomBytes`.
 */
import type { NodeIdentity, PublicIdentity } from '../../identity/keys.js';
import { PeerStatics } from './_peers.js';
import { CONTROL_QUEUE_CAP, type E2eAlgorithmId, MAX_STATIC_PEERS } from './constants.js';
import {
  type E2eControlSink,
  type E2eDropReason,
  type E2eOpenResult,
  E2eReceiver,
  type SourceKeyLookup,
} from './receiver.js';
import { type E2eSealResult, type E2eSendDropReason, E2eSender } from './sender.js';
import { x25519PrivateKey } from './x25519.js';

export interface E2eOptions {
  readonly identity: NodeIdentity;
  /** chooseE2eAlgorithm(cpuInfoHasAes(/proc/cpuinfo)) in the daemon. */
  readonly algorithm: E2eAlgorithmId;
  /** A CSPRNG in the daemon (node:crypto randomBytes); seeded in tests. */
  readonly randomBytes: (n: number) => Uint8Array;
  readonly maxSources?: number;
  readonly maxDestinations?: number;
  readonly maxStaticPeers?: number;
}

/** A control frame to route to `destination` (an overlay address). */
export interface E2eControlFrame {
  readonly destination: Uint8Array;
  readonly frame: Uint8Array;
}

/** The end-to-end encryption engine of one node. */
export class E2e implements E2eControlSink {
  readonly sender: E2eSender;
  readonly receiver: E2eReceiver;
  private readonly statics: PeerStatics;
  private readonly queue: (E2eControlFrame | undefined)[] = new Array(CONTROL_QUEUE_CAP);
  private head = 0;
  private count = 0;
  /** Control frames dropped because the queue was full. */
  controlDropped = 0;

  constructor(opts: E2eOptions) {
    const ownStatic = x25519PrivateKey(opts.identity.x25519SecretKey);
    this.statics = new PeerStatics(ownStatic, opts.maxStaticPeers ?? MAX_STATIC_PEERS);
    this.sender = new E2eSender({
      identity: opts.identity,
      algorithm: opts.algorithm,
      randomBytes: opts.randomBytes,
      statics: this.statics,
      ...(opts.maxDestinations !== undefined ? { maxDestinations: opts.maxDestinations } : {}),
    });
    this.receiver = new E2eReceiver({
      identity: opts.identity,
      ownStatic,
      statics: this.statics,
      sender: this.sender,
      sink: this,
      ...(opts.maxSources !== undefined ? { maxSources: opts.maxSources } : {}),
    });
  }

  /** Seals an IPv6 packet from the TUN for `dst`; returns the Data frame or a counted drop. */
  seal(
    dst: PublicIdentity,
    hopLimit: number,
    receiverIndex: number,
    packet: Uint8Array,
    now: number,
  ): E2eSealResult {
    return this.sender.seal(dst, hopLimit, receiverIndex, packet, now);
  }

  /** Seals a HopLimitExceeded report to `dst` about its frame (keyId, counter); undefined on a bad key. */
  sealHopLimitReport(
    dst: PublicIdentity,
    keyId: number,
    counter: number,
    now: number,
  ): Uint8Array | undefined {
    return this.sender.sealHopLimitReport(dst, keyId, counter, now);
  }

  /** Opens a Data frame addressed to this node; see E2eReceiver.open. */
  open(frame: Uint8Array, now: number, sourceKeyLookup: SourceKeyLookup): E2eOpenResult {
    return this.receiver.open(frame, now, sourceKeyLookup);
  }

  /** Returns the next control frame to send, or undefined when none is queued. */
  pollControl(): E2eControlFrame | undefined {
    if (this.count === 0) return undefined;
    const item = this.queue[this.head];
    this.queue[this.head] = undefined;
    this.head = (this.head + 1) % CONTROL_QUEUE_CAP;
    this.count--;
    return item;
  }

  /** Queues a control frame (the receiver calls this); drops and counts it when the queue is full. */
  pushControl(destination: Uint8Array, frame: Uint8Array): void {
    if (this.count === CONTROL_QUEUE_CAP) {
      this.controlDropped++;
      return;
    }
    this.queue[(this.head + this.count) % CONTROL_QUEUE_CAP] = { destination, frame };
    this.count++;
  }

  /** Forgets expired send and receive keys. Call every few seconds; extra calls are harmless. */
  expireKeys(now: number): void {
    this.sender.expireKeys(now);
    this.receiver.expireKeys(now);
  }

  /** Drop counters of both halves, for metrics. */
  get drops(): {
    readonly send: Record<E2eSendDropReason, number>;
    readonly receive: Record<E2eDropReason, number>;
  } {
    return { send: this.sender.drops, receive: this.receiver.drops };
  }
}

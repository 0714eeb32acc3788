import {
  type BatchLayout,
  batchLayout,
  checkIfName,
  emptyStats,
  type PacketBatch,
  type PacketHandler,
  type TunDevice,
  type TunStats,
} from './device.js';
import { TunError } from './errors.js';

/** errno values the fake reports, as Linux numbers them. */
export const FAKE_EAGAIN = 11;
export const FAKE_EINVAL = 22;

/** Packets the fake holds while no handler is set; Linux's default txqueuelen for a TUN is 500. */
export const FAKE_QUEUE_MAX = 500;

/** Options of {@link FakeTun}. */
export interface FakeTunOptions {
  readonly name?: string;
  readonly mtu?: number;
  readonly batchMax?: number;
  readonly headroom?: number;
  readonly tailroom?: number;
  /**
   * Overwrite each slot with 0xdb after the handler returns (default true), so a consumer that
   * keeps a view of a packet past its batch reads garbage in tests, as it would with the real
   * device once the next batch lands.
   */
  readonly poisonAfterBatch?: boolean;
}

type MutableBatch = { -readonly [K in keyof PacketBatch]: PacketBatch[K] };

/**
 * An in-memory TUN for data-plane tests, like wireguard-go's tuntest: `inject()` plays the kernel
 * sending packets into the device, `written` captures what the code under test writes. It keeps the
 * real device's contract: batches of at most `batchMax` in one reused slab, packets longer than a
 * slot dropped as `rxTruncated`, writes of non-IP packets refused with EINVAL, and `writeErrno`
 * can make the kernel refuse or push back (EAGAIN).
 */
export class FakeTun implements TunDevice {
  readonly name: string;
  readonly stats: TunStats = emptyStats();
  /** Copies of every packet the kernel accepted, oldest first. */
  readonly written: Buffer[] = [];
  /** Packets dropped by inject() because the queue was full with no handler set. */
  queueDrops = 0;
  /**
   * Decides each write's fate: return 0 to accept, or an errno (FAKE_EAGAIN, FAKE_EINVAL, ...).
   * The default refuses what Linux refuses from an IFF_NO_PI TUN: an empty packet, or one whose
   * version nibble is neither 4 nor 6.
   */
  writeErrno: (packet: Uint8Array) => number = defaultWriteErrno;
  readonly #layout: BatchLayout;
  readonly #batch: MutableBatch;
  readonly #poison: boolean;
  readonly #queue: Buffer[] = [];
  #mtu: number;
  #handler: PacketHandler | undefined;
  #errorHandler: ((err: TunError) => void) | undefined;
  #closed = false;
  #delivering = false;

  constructor(opts: FakeTunOptions = {}) {
    const name = opts.name ?? 'fake0';
    checkIfName(name);
    this.name = name;
    this.#mtu = opts.mtu ?? 1400;
    this.#layout = batchLayout(this.#mtu, opts);
    this.#poison = opts.poisonAfterBatch ?? true;
    this.#batch = {
      count: 0,
      data: Buffer.alloc(this.#layout.batchMax * this.#layout.slotSize),
      lengths: new Uint32Array(this.#layout.batchMax),
      slotSize: this.#layout.slotSize,
      headroom: this.#layout.headroom,
    };
  }

  get mtu(): number {
    return this.#mtu;
  }

  /** The slot layout batches use. */
  get layout(): BatchLayout {
    return this.#layout;
  }

  /** Whether close() was called. */
  get closed(): boolean {
    return this.#closed;
  }

  onPackets(handler: PacketHandler): void {
    if (typeof handler !== 'function') throw new TypeError('handler must be a function');
    this.#checkOpen();
    this.#handler = handler;
    this.#drain();
  }

  onError(handler: (err: TunError) => void): void {
    if (typeof handler !== 'function') throw new TypeError('handler must be a function');
    this.#errorHandler = handler;
  }

  /**
   * Plays the kernel routing `packets` into the device: they are queued and, if a handler is set,
   * delivered at once in batches of at most `batchMax` (each batch is one wake-up). Packets are
   * copied, so the caller may reuse its buffers. Returns how many were queued.
   */
  inject(...packets: Uint8Array[]): number {
    this.#checkOpen();
    let queued = 0;
    for (const p of packets) {
      if (this.#queue.length >= FAKE_QUEUE_MAX) {
        this.queueDrops++;
        continue;
      }
      this.#queue.push(Buffer.from(p));
      queued++;
    }
    this.#drain();
    return queued;
  }

  /** Plays a read error (e.g. the interface was deleted): reading stops and onError's handler runs. */
  fail(errno: number, message = `read failed (errno ${errno})`): void {
    this.#handler = undefined;
    const err = new TunError('HYPHA_ERR_TUN_IO', `reading from TUN ${this.name} failed: ${message}`, {
      errno,
      syscall: 'read',
    });
    if (this.#errorHandler) this.#errorHandler(err);
    else throw err;
  }

  /** Returns the written packets and forgets them. */
  takeWritten(): Buffer[] {
    return this.written.splice(0, this.written.length);
  }

  write(packet: Uint8Array): boolean {
    this.#checkOpen();
    return this.#writeOne(packet) === 0;
  }

  writeBatch(packets: readonly Uint8Array[], count: number = packets.length): number {
    if (!Number.isInteger(count) || count < 0 || count > packets.length)
      throw new RangeError(`count must be from 0 to ${packets.length}, got ${count}`);
    this.#checkOpen();
    let written = 0;
    for (let i = 0; i < count; i++) {
      const err = this.#writeOne(packets[i]!);
      if (err === 0) written++;
      else if (err === FAKE_EAGAIN) {
        // Like the native loop: the queue is full, so the rest are not tried.
        this.stats.txAgain += count - i - 1;
        break;
      }
    }
    return written;
  }

  close(): void {
    this.#closed = true;
    this.#handler = undefined;
    this.#queue.length = 0;
  }

  #writeOne(packet: Uint8Array): number {
    const err = this.writeErrno(packet);
    if (err === 0) {
      this.written.push(Buffer.from(packet));
      this.stats.txPackets++;
      return 0;
    }
    if (err === FAKE_EAGAIN) this.stats.txAgain++;
    else this.stats.txFailed++;
    this.stats.lastTxErrno = err;
    return err;
  }

  #drain(): void {
    // A handler that injects more packets gets them in a later batch, not a nested call.
    if (this.#delivering) return;
    this.#delivering = true;
    try {
      const { batchMax, capacity, slotSize, headroom } = this.#layout;
      const b = this.#batch;
      while (this.#handler && this.#queue.length > 0) {
        let n = 0;
        while (n < batchMax && this.#queue.length > 0) {
          const p = this.#queue.shift()!;
          if (p.length > capacity) {
            this.stats.rxTruncated++;
            continue;
          }
          p.copy(b.data, n * slotSize + headroom);
          b.lengths[n++] = p.length;
        }
        if (n === 0) continue;
        b.count = n;
        this.stats.rxPackets += n;
        this.stats.rxBatches++;
        this.#handler(b);
        if (this.#poison) b.data.fill(0xdb, 0, n * slotSize);
      }
    } finally {
      this.#delivering = false;
    }
  }

  #checkOpen(): void {
    if (this.#closed) throw new TunError('HYPHA_ERR_TUN_IO', `TUN ${this.name} is closed`);
  }
}

function defaultWriteErrno(packet: Uint8Array): number {
  if (packet.length === 0) return FAKE_EINVAL;
  const version = packet[0]! >> 4;
  return version === 4 || version === 6 ? 0 : FAKE_EINVAL;
}

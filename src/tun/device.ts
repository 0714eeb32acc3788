import type { TunError } from './errors.js';

// ---- Specification constants ----------------------------------------------------------------

/** RFC 8200 §5: every IPv6 link must carry packets of 1280 bytes. */
export const IPV6_MIN_MTU = 1280;
/** The largest MTU a Linux TUN accepts (IP_MAX_MTU). */
export const TUN_MAX_MTU = 65535;
/** Linux IFNAMSIZ (16) minus the terminating NUL. */
export const IFNAME_MAX_BYTES = 15;

// ---- Implementation constants ---------------------------------------------------------------

/** Packets read per wake-up at most; wireguard-go and Mycelium use 64 to 128. */
export const DEFAULT_BATCH_MAX = 64;
/** Bytes kept free before each packet so a header can be written in place (STYLE §5). */
export const DEFAULT_HEADROOM = 64;
/** struct virtio_net_hdr (without num_buffers): what IFF_VNET_HDR puts before each packet on the fd. */
export const VNET_HEADER_BYTES = 10;
/** Bytes kept free after each packet, e.g. for an AEAD tag appended in place. */
export const DEFAULT_TAILROOM = 64;
/** Slots are rounded up to this, so each packet starts on a cache line (when the slab does). */
export const SLOT_ALIGN = 64;

/**
 * One wake-up's worth of packets read from a TUN, laid out in fixed slots of one slab.
 * Packet `i` is `data.subarray(o, o + lengths[i])` with `o = i * slotSize + headroom`
 * (see {@link packetOffset}); the `headroom` bytes before it and the bytes after it up to the
 * next slot are free for in-place headers and trailers.
 *
 * The batch, its slab and its lengths are reused for the next batch: they are only valid
 * during the handler call. Copy (or encrypt into another buffer) anything you keep.
 */
export interface PacketBatch {
  /** Packets in this batch, 1 to `batchMax`. */
  readonly count: number;
  /** The slab: `batchMax * slotSize` bytes. */
  readonly data: Buffer;
  /** `lengths[i]` is the length of packet `i` in bytes; entries at `count` and above are stale. */
  readonly lengths: Uint32Array;
  /** Bytes per slot. */
  readonly slotSize: number;
  /** Free bytes in front of each packet. */
  readonly headroom: number;
}

/** Called once per wake-up with every packet read; see {@link PacketBatch} for lifetime rules. */
export type PacketHandler = (batch: PacketBatch) => void;

/** Cumulative counters of one device. Drops are counted, never thrown (STYLE §5). */
export interface TunStats {
  /** Packets delivered to the handler. */
  rxPackets: number;
  /** Handler calls. */
  rxBatches: number;
  /** Packets read but dropped because they were larger than a slot (the MTU was raised?). */
  rxTruncated: number;
  /** Packets the kernel accepted. */
  txPackets: number;
  /** Packets not written because the kernel said EAGAIN (its queue is full). */
  txAgain: number;
  /** Packets the kernel refused (EINVAL: not an IPv4/IPv6 packet; EIO: interface down; ...). */
  txFailed: number;
  /** errno of the last refused or EAGAIN write, 0 if none. */
  lastTxErrno: number;
}

/**
 * A layer-3 TUN device: IPv6 packets in and out, no packet-information header.
 * Implemented by the native Linux TUN (native-tun.ts) and an in-memory fake (fake-tun.ts).
 */
export interface TunDevice {
  /** The interface name the kernel gave the device (a `%d` template is filled in). */
  readonly name: string;
  /** The MTU in bytes; packets read are at most this long. */
  readonly mtu: number;
  readonly stats: TunStats;
  /**
   * Sets the one handler for read packets and starts reading; a later call replaces it.
   * The handler runs once per wake-up with a batch that is only valid during the call.
   */
  onPackets(handler: PacketHandler): void;
  /** Sets the one handler for read errors (HYPHA_ERR_TUN_IO); reading has stopped when it runs. */
  onError(handler: (err: TunError) => void): void;
  /** Writes one packet; returns true if the kernel took it, false if it was dropped (counted in stats). */
  write(packet: Uint8Array): boolean;
  /**
   * Writes `packets[0 .. count)`, one packet each; returns how many the kernel took.
   * On EAGAIN the rest are dropped as `txAgain`; a refused packet is dropped as `txFailed`.
   * `count` lets a caller reuse one array of views for every batch.
   */
  writeBatch(packets: readonly Uint8Array[], count?: number): number;
  /** Stops reading and releases the device; the interface disappears. Idempotent. */
  close(): void;
}

/** Returns the byte offset of packet `i` in `batch.data`. */
export function packetOffset(batch: PacketBatch, i: number): number {
  return i * batch.slotSize + batch.headroom;
}

/** Returns a view of packet `i` (allocates a view object: fine for control traffic and tests). */
export function packetAt(batch: PacketBatch, i: number): Buffer {
  if (!Number.isInteger(i) || i < 0 || i >= batch.count)
    throw new RangeError(`packet index ${i} out of range`);
  const o = i * batch.slotSize + batch.headroom;
  return batch.data.subarray(o, o + batch.lengths[i]!);
}

/** The virtio_net_hdr read in front of packet `i` (a device with a vnet header puts it in the headroom). */
export function vnetHeaderAt(batch: PacketBatch, i: number): Buffer {
  const o = i * batch.slotSize + batch.headroom;
  return batch.data.subarray(o - VNET_HEADER_BYTES, o);
}

/** Buffer layout of a read batch. */
export interface BatchLayout {
  readonly batchMax: number;
  readonly headroom: number;
  /** Bytes a slot can hold after the headroom: the largest packet that is not dropped. */
  readonly capacity: number;
  readonly slotSize: number;
}

/** Returns the slot layout for packets of up to `mtu` bytes. */
export function batchLayout(
  mtu: number,
  opts: { batchMax?: number; headroom?: number; tailroom?: number } = {},
): BatchLayout {
  const batchMax = opts.batchMax ?? DEFAULT_BATCH_MAX;
  const headroom = opts.headroom ?? DEFAULT_HEADROOM;
  const tailroom = opts.tailroom ?? DEFAULT_TAILROOM;
  checkInt('batchMax', batchMax, 1, 4096);
  checkInt('headroom', headroom, 0, 4096);
  checkInt('tailroom', tailroom, 0, 4096);
  checkInt('mtu', mtu, 1, TUN_MAX_MTU);
  const slotSize = Math.ceil((headroom + mtu + tailroom) / SLOT_ALIGN) * SLOT_ALIGN;
  return { batchMax, headroom, capacity: slotSize - headroom, slotSize };
}

/** Returns fresh counters, all zero. */
export function emptyStats(): TunStats {
  return {
    rxPackets: 0,
    rxBatches: 0,
    rxTruncated: 0,
    txPackets: 0,
    txAgain: 0,
    txFailed: 0,
    lastTxErrno: 0,
  };
}

/** Throws TypeError or RangeError, naming `what`, unless `v` is an integer in [min, max]. */
export function checkInt(what: string, v: unknown, min: number, max: number): void {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`${what} must be an integer`);
  if (v < min || v > max) throw new RangeError(`${what} must be from ${min} to ${max}, got ${v}`);
}

/** Throws unless `name` is a Linux interface name: 1 to 15 bytes, no '/', whitespace or ':'. */
export function checkIfName(name: unknown): asserts name is string {
  if (typeof name !== 'string') throw new TypeError('name must be a string');
  const bytes = Buffer.byteLength(name);
  if (bytes < 1 || bytes > IFNAME_MAX_BYTES)
    throw new RangeError(
      `interface name must be 1 to ${IFNAME_MAX_BYTES} bytes, got ${JSON.stringify(name)}`,
    );
  if (/[/\s:]/.test(name) || name === '.' || name === '..')
    throw new RangeError(`interface name ${JSON.stringify(name)} may not contain '/', ':' or whitespace`);
}

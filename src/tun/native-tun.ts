import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants as osConstants } from 'node:os';
import { addonFile, findAddon } from '../util/native-addon.js';
import {
  type BatchLayout,
  batchLayout,
  checkIfName,
  checkInt,
  emptyStats,
  IPV6_MIN_MTU,
  type PacketBatch,
  type PacketHandler,
  TUN_MAX_MTU,
  type TunDevice,
  type TunStats,
  VNET_HEADER_BYTES,
} from './device.js';
import { TunError, tunErrorFrom } from './errors.js';

/** The Linux TUN clone device. */
export const TUN_DEVICE_PATH = '/dev/net/tun';

/** The addon's surface (native/src/tun.c documents each call). Syscalls only; decisions live here. */
interface TunAddon {
  open(name: string, extraFlags: number, devicePath: string): { fd: number; name: string };
  closeFd(fd: number): void;
  setMtu(name: string, mtu: number): void;
  getMtu(name: string): number;
  setTxQueueLen(name: string, length: number): void;
  setOffload(fd: number, flags: number): void;
  checksum(buf: Uint8Array, start: number, end: number, initial: number): number;
  setUp(name: string): void;
  addAddress(name: string, address: Uint8Array, prefixLen: number): void;
  readStart(
    fd: number,
    slab: Buffer,
    lengths: Uint32Array,
    slotSize: number,
    headroom: number,
    batchMax: number,
    cb: (count: number, truncated: number, errno: number) => void,
    vnetBytes: number,
  ): ReaderHandle;
  readStop(reader: ReaderHandle): void;
  /** Returns 0 or the errno of the failed write(2). */
  write(fd: number, packet: Uint8Array, offset: number, length: number): number;
  /** Fills result with [written, again, failed, lastErrno] and returns written. */
  writeBatch(fd: number, packets: readonly Uint8Array[], count: number, result: Int32Array): number;
  /** One writev(2) of header then packet (IFF_VNET_HDR); returns 0 or errno. */
  writeVnet(fd: number, header: Uint8Array, packet: Uint8Array): number;
  readonly constants: {
    IFF_VNET_HDR: number;
    IFF_MULTI_QUEUE: number;
    TUN_F_CSUM: number;
    TUN_F_TSO6: number;
    EAGAIN: number;
    EEXIST: number;
  };
}

/** The reader's own view of its batch: it sets `count` before each handler call. */
type MutableBatch = { -readonly [K in keyof PacketBatch]: PacketBatch[K] };

/** An opaque native reader (a uv_poll_t and its references). */
declare const readerBrand: unique symbol;
type ReaderHandle = { readonly [readerBrand]: true };

const ADDON_FILE = addonFile('hypha_tun');
const BUILD_COMMAND = 'npm run build:native (needs python3, make and a C compiler)';

let cachedAddon: TunAddon | undefined;

/**
 * Loads the TUN addon (once), from `path` or from native/build/Release next to the package.
 * Throws TunError HYPHA_ERR_TUN_OPEN saying what is missing when it is not built or will not load.
 */
export function loadTunAddon(path?: string): TunAddon {
  if (path === undefined && cachedAddon) return cachedAddon;
  if (process.platform !== 'linux')
    throw new TunError('HYPHA_ERR_TUN_OPEN', `the TUN device needs Linux; this is ${process.platform}`);
  const file = path ?? findAddon('hypha_tun');
  if (file === undefined || !existsSync(file))
    throw new TunError(
      'HYPHA_ERR_TUN_OPEN',
      `the TUN addon is not built (${path ?? ADDON_FILE} is missing): build it with: ${BUILD_COMMAND}`,
    );
  let addon: TunAddon;
  try {
    addon = createRequire(import.meta.url)(file) as TunAddon;
  } catch (err) {
    throw tunErrorFrom(
      'HYPHA_ERR_TUN_OPEN',
      err,
      `the TUN addon ${file} failed to load; rebuild it with: ${BUILD_COMMAND}`,
    );
  }
  if (path === undefined) cachedAddon = addon;
  return addon;
}

/** Options of {@link openTun}. */
export interface OpenTunOptions {
  /** Interface name, 1 to 15 bytes; a `%d` in it is filled in by the kernel (`hypha%d` → `hypha0`). */
  readonly name: string;
  /** Packets per read batch (default 64). */
  readonly batchMax?: number;
  /** Free bytes before each read packet (default 64). */
  readonly headroom?: number;
  /** Free bytes after each read packet (default 64). */
  readonly tailroom?: number;
  /** The clone device (default /dev/net/tun); tests point it elsewhere. */
  readonly devicePath?: string;
  /** Path of the .node file, instead of native/build/Release. */
  readonly addonPath?: string;
  /**
   * IFF_VNET_HDR: every packet crosses the fd behind a 10-byte virtio_net_hdr, which lets hypha
   * write GSO super-packets (writeSegments). Reads strip it; write() adds an empty one.
   */
  readonly vnetHeader?: boolean;
  /**
   * With `vnetHeader`: let the kernel hand over TCP super-packets (TSO, up to 64 KiB) and partial
   * checksums (TUN_F_TSO6 | TUN_F_CSUM); the reader must finish them (offload.ts).
   */
  readonly offload?: boolean;
}

const NO_OFFLOAD = new Uint8Array(VNET_HEADER_BYTES);

/**
 * Creates (or attaches to) the TUN interface `name` with IFF_TUN | IFF_NO_PI and returns it,
 * still down and unconfigured; {@link configureTun} does the rest. Throws TunError
 * HYPHA_ERR_TUN_OPEN with what is missing: the addon, /dev/net/tun, CAP_NET_ADMIN, a free name.
 */
export function openTun(opts: OpenTunOptions): NativeTun {
  checkIfName(opts.name);
  // Checked before the device exists, so a bad option cannot leak an fd.
  batchLayout(IPV6_MIN_MTU, opts);
  const addon = loadTunAddon(opts.addonPath);
  let opened: { fd: number; name: string };
  try {
    opened = addon.open(
      opts.name,
      opts.vnetHeader ? addon.constants.IFF_VNET_HDR : 0,
      opts.devicePath ?? TUN_DEVICE_PATH,
    );
  } catch (err) {
    throw tunErrorFrom('HYPHA_ERR_TUN_OPEN', err);
  }
  try {
    if (opts.offload && opts.vnetHeader)
      addon.setOffload(opened.fd, addon.constants.TUN_F_CSUM | addon.constants.TUN_F_TSO6);
    return new NativeTun(addon, opened.fd, opened.name, addon.getMtu(opened.name), opts);
  } catch (err) {
    addon.closeFd(opened.fd);
    throw tunErrorFrom('HYPHA_ERR_TUN_OPEN', err);
  }
}

/** A Linux TUN device on a non-blocking fd, read in batches through libuv. Made by {@link openTun}. */
export class NativeTun implements TunDevice {
  readonly name: string;
  /** The TUN file descriptor (non-blocking, close-on-exec). */
  readonly fd: number;
  readonly stats: TunStats = emptyStats();
  readonly #addon: TunAddon;
  readonly #opts: OpenTunOptions;
  #mtu: number;
  #closed = false;
  #reader: ReaderHandle | undefined;
  #layout: BatchLayout | undefined;
  #batch: MutableBatch | undefined;
  #handler: PacketHandler | undefined;
  #errorHandler: ((err: TunError) => void) | undefined;
  /** [written, again, failed, lastErrno] of the last writeBatch; reused, so a batch allocates nothing. */
  readonly #writeResult = new Int32Array(4);
  readonly #eagain: number;

  /** Use {@link openTun}. */
  constructor(addon: TunAddon, fd: number, name: string, mtu: number, opts: OpenTunOptions) {
    this.#addon = addon;
    this.fd = fd;
    this.name = name;
    this.#mtu = mtu;
    this.#opts = opts;
    this.#eagain = addon.constants.EAGAIN;
  }

  get mtu(): number {
    return this.#mtu;
  }

  /** Sets the MTU (1280 to 65535); read slots grow to fit. Throws TunError HYPHA_ERR_TUN_CONFIG. */
  setMtu(mtu: number): void {
    checkInt('mtu', mtu, IPV6_MIN_MTU, TUN_MAX_MTU);
    this.#checkOpen();
    try {
      this.#addon.setMtu(this.name, mtu);
    } catch (err) {
      throw tunErrorFrom('HYPHA_ERR_TUN_CONFIG', err);
    }
    this.#mtu = mtu;
    if (this.#reader && this.#layout && this.#layout.capacity < mtu) {
      this.#stopReading();
      this.#startReading();
    }
  }

  /**
   * Sets how many packets the kernel queues for hypha to read before it drops (txqueuelen; Linux
   * gives a TUN 500). Throws TunError HYPHA_ERR_TUN_CONFIG.
   */
  setTxQueueLength(length: number): void {
    checkInt('length', length, 1, 1_000_000);
    this.#checkOpen();
    try {
      this.#addon.setTxQueueLen(this.name, length);
    } catch (err) {
      throw tunErrorFrom('HYPHA_ERR_TUN_CONFIG', err);
    }
  }

  /**
   * Adds an IPv6 address with its prefix length; the kernel then routes the whole prefix into this
   * device. Returns false if the device already had the address. Throws TunError HYPHA_ERR_TUN_CONFIG.
   */
  addAddress(address: Uint8Array, prefixLen: number): boolean {
    if (!(address instanceof Uint8Array)) throw new TypeError('address must be a Uint8Array');
    if (address.length !== 16) throw new RangeError(`address must be 16 bytes, got ${address.length}`);
    checkInt('prefixLen', prefixLen, 1, 128);
    this.#checkOpen();
    try {
      this.#addon.addAddress(this.name, address, prefixLen);
      return true;
    } catch (err) {
      if ((err as { errno?: unknown }).errno === this.#addon.constants.EEXIST) return false;
      throw tunErrorFrom('HYPHA_ERR_TUN_CONFIG', err);
    }
  }

  /** Brings the interface up. Throws TunError HYPHA_ERR_TUN_CONFIG. */
  setUp(): void {
    this.#checkOpen();
    try {
      this.#addon.setUp(this.name);
    } catch (err) {
      throw tunErrorFrom('HYPHA_ERR_TUN_CONFIG', err);
    }
  }

  onPackets(handler: PacketHandler): void {
    if (typeof handler !== 'function') throw new TypeError('handler must be a function');
    this.#checkOpen();
    this.#handler = handler;
    if (!this.#reader) this.#startReading();
  }

  onError(handler: (err: TunError) => void): void {
    if (typeof handler !== 'function') throw new TypeError('handler must be a function');
    this.#errorHandler = handler;
  }

  /** The Internet checksum sum of buf[start, end) plus `initial`, folded, in C (offload.ts's ChecksumSum). */
  readonly checksum = (buf: Uint8Array, start: number, end: number, initial: number): number =>
    this.#addon.checksum(buf, start, end, initial);

  /** True when reads may be TSO super-packets or carry partial checksums (see offload.ts). */
  get offload(): boolean {
    return this.#opts.offload === true && this.#opts.vnetHeader === true;
  }

  /** True when the device was opened with IFF_VNET_HDR (writeSegments works). */
  get vnetHeader(): boolean {
    return this.#opts.vnetHeader === true;
  }

  write(packet: Uint8Array): boolean {
    this.#checkOpen();
    const err = this.#opts.vnetHeader
      ? this.#addon.writeVnet(this.fd, NO_OFFLOAD, packet)
      : this.#addon.write(this.fd, packet, 0, packet.byteLength);
    return this.#written(err);
  }

  /**
   * Writes a packet behind its own virtio_net_hdr (a GSO super-packet the kernel takes as one, as
   * if GRO had built it). Only on a device opened with `vnetHeader`.
   */
  writeSegments(header: Uint8Array, packet: Uint8Array): boolean {
    this.#checkOpen();
    if (!this.#opts.vnetHeader) throw new TunError('HYPHA_ERR_TUN_IO', `TUN ${this.name} has no vnet header`);
    return this.#written(this.#addon.writeVnet(this.fd, header, packet));
  }

  #written(err: number): boolean {
    if (err === 0) {
      this.stats.txPackets++;
      return true;
    }
    if (err === this.#eagain) this.stats.txAgain++;
    else this.stats.txFailed++;
    this.stats.lastTxErrno = err;
    return false;
  }

  writeBatch(packets: readonly Uint8Array[], count: number = packets.length): number {
    checkInt('count', count, 0, packets.length);
    this.#checkOpen();
    if (this.#opts.vnetHeader) {
      let written = 0;
      for (let i = 0; i < count; i++) if (this.write(packets[i]!)) written++;
      return written;
    }
    const r = this.#writeResult;
    const written = this.#addon.writeBatch(this.fd, packets, count, r);
    this.stats.txPackets += written;
    this.stats.txAgain += r[1]!;
    this.stats.txFailed += r[2]!;
    if (r[3] !== 0) this.stats.lastTxErrno = r[3]!;
    return written;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopReading();
    this.#addon.closeFd(this.fd);
  }

  #checkOpen(): void {
    if (this.#closed) throw new TunError('HYPHA_ERR_TUN_IO', `TUN ${this.name} is closed`);
  }

  #startReading(): void {
    // With TSO a read can be a whole 64 KiB super-packet, whatever the MTU.
    const layout = batchLayout(this.offload ? TUN_MAX_MTU : this.#mtu, this.#opts);
    const batch: MutableBatch = {
      count: 0,
      data: Buffer.alloc(layout.batchMax * layout.slotSize),
      lengths: new Uint32Array(layout.batchMax),
      slotSize: layout.slotSize,
      headroom: layout.headroom,
    };
    this.#layout = layout;
    this.#batch = batch;
    // One closure per reader, none per packet or batch.
    this.#reader = this.#addon.readStart(
      this.fd,
      batch.data,
      batch.lengths,
      layout.slotSize,
      layout.headroom,
      layout.batchMax,
      (count, truncated, errno) => this.#onRead(batch, count, truncated, errno),
      this.#opts.vnetHeader ? VNET_HEADER_BYTES : 0,
    );
  }

  #stopReading(): void {
    if (!this.#reader) return;
    this.#addon.readStop(this.#reader);
    this.#reader = undefined;
  }

  #onRead(batch: MutableBatch, count: number, truncated: number, errno: number): void {
    this.stats.rxTruncated += truncated;
    if (count > 0 && this.#handler) {
      batch.count = count;
      this.stats.rxPackets += count;
      this.stats.rxBatches++;
      this.#handler(batch);
    }
    if (errno === 0 || this.#closed || batch !== this.#batch) return;
    this.#stopReading();
    const err = new TunError(
      'HYPHA_ERR_TUN_IO',
      `reading from TUN ${this.name} failed: ${errnoName(errno)}`,
      {
        errno,
        syscall: 'read',
      },
    );
    if (this.#errorHandler) this.#errorHandler(err);
    else throw err;
  }
}

function errnoName(errno: number): string {
  for (const [name, value] of Object.entries(osConstants.errno)) if (value === errno) return name;
  return `errno ${errno}`;
}

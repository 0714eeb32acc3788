/**
 * The link socket on the native addon (native/src/udp.c): recvmmsg(2) batches in, sendmmsg(2)
 * batches out, UDP GSO for runs of equal-size datagrams to one endpoint and UDP GRO on receive.
 * It implements the same UdpLink contract as the dgram socket (udp.ts) and adds cork/uncork:
 * between the two, sends are queued and leave in as few syscalls as the kernel allows.
 *
 * A received datagram is a view into a slab that the next wake-up reuses: handlers copy what
 * they keep.
 */
import { createRequire } from 'node:module';
import { constants as osConstants } from 'node:os';
import { findAddon } from '../util/native-addon.js';
import type { Endpoint } from './api.js';
import {
  ENDPOINT_RECORD_BYTES,
  EndpointRecords,
  isV4MappedRecord,
  type ScopeNames,
  sendRefusal,
  systemScopeNames,
} from './endpoint-record.js';
import type { UdpLink } from './udp.js';

/** The addon's surface; native/src/udp.c documents each call. */
export interface UdpAddon {
  open(
    family: 4 | 6,
    addr: Uint8Array,
    port: number,
    bufferBytes: number,
  ): {
    fd: number;
    port: number;
    rcvbuf: number;
    sndbuf: number;
    gro: number;
  };
  closeFd(fd: number): void;
  readStart(
    fd: number,
    family: 4 | 6,
    slab: Uint8Array,
    lengths: Uint32Array,
    segments: Uint32Array,
    addrs: Uint8Array,
    slotSize: number,
    batchMax: number,
    cb: (count: number, truncated: number, errno: number) => void,
  ): ReaderHandle;
  readStop(reader: ReaderHandle): void;
  sendBatch(
    fd: number,
    family: 4 | 6,
    slab: Uint8Array,
    lengths: Uint32Array,
    addrs: Uint8Array,
    slotSize: number,
    count: number,
    gsoMax: number,
    result: Int32Array,
  ): number;
  readonly constants: { ADDR_RECORD: number; MAX_BATCH: number; EAGAIN: number };
}

declare const readerBrand: unique symbol;
type ReaderHandle = { readonly [readerBrand]: true };

/** Loads the addon, or returns undefined when it is not built (the dgram socket then serves). */
export function loadUdpAddon(): UdpAddon | undefined {
  if (process.platform !== 'linux') return undefined;
  const file = findAddon('hypha_udp');
  if (file === undefined) return undefined;
  const addon = createRequire(import.meta.url)(file) as UdpAddon;
  if (addon.constants.ADDR_RECORD !== ENDPOINT_RECORD_BYTES)
    throw new Error(`${file} was built from another version of hypha: run npm run build:native`);
  return addon;
}

/** Datagrams per receive wake-up and per send batch (the addon's cap). */
const BATCH = 64;
/** A send slot: every Data frame at the default MTU fits; a larger datagram is sent on its own. */
const SEND_SLOT = 2048;
/** A receive slot takes a whole GRO train (up to 64 KiB of coalesced datagrams). */
const RECV_SLOT = 65_536;

const ERRNO_NAMES = new Map(Object.entries(osConstants.errno).map(([name, n]) => [n, name]));
const errnoName = (n: number): string => ERRNO_NAMES.get(n) ?? `errno-${n}`;
/**
 * The largest datagram sent in a GSO run: each segment must fit the path's MTU, and 1452 bytes fit
 * a 1500-byte underlay under IPv6 and UDP headers. Larger datagrams go alone (fragmented by IP).
 */
const GSO_MAX_DATAGRAM = 1500 - 40 - 8;
/** Errors of a GSO send that mean "this path cannot segment": fall back to one datagram per send. */
const GSO_REFUSALS = new Set([
  osConstants.errno.EINVAL,
  osConstants.errno.EIO,
  osConstants.errno.ENOPROTOOPT,
  osConstants.errno.EMSGSIZE,
]);

export interface NativeUdpOptions {
  readonly family: 4 | 6;
  /** 16 bytes (IPv4 as ::ffff:a.b.c.d); all zero binds every address. */
  readonly bindAddress: Uint8Array;
  readonly port: number;
  readonly bufferBytes: number;
  readonly scopes?: ScopeNames;
}

/** Opens the socket; throws the addon's Error (with `code`, e.g. EADDRINUSE) if it cannot bind. */
export function openNativeUdp(addon: UdpAddon, opts: NativeUdpOptions): NativeUdpLink {
  const r = addon.open(opts.family, opts.bindAddress, opts.port, opts.bufferBytes);
  return new NativeUdpLink(addon, opts.family, r, opts.scopes ?? systemScopeNames());
}

export class NativeUdpLink implements UdpLink {
  readonly type: 'udp4' | 'udp6';
  readonly port: number;
  readonly recvBufferSize: number;
  readonly sendBufferSize: number;
  private readonly fd: number;
  private readonly records: EndpointRecords;
  private handler: ((data: Buffer, from: Endpoint) => void) | undefined;
  private reader: ReaderHandle | undefined;
  private closed = false;
  private corks = 0;
  private gsoMax = GSO_MAX_DATAGRAM;
  // Receive side.
  private readonly rxSlab = Buffer.alloc(BATCH * RECV_SLOT);
  private readonly rxLengths = new Uint32Array(BATCH);
  private readonly rxSegments = new Uint32Array(BATCH);
  private readonly rxAddrs = new Uint8Array(BATCH * ENDPOINT_RECORD_BYTES);
  // Send side: `queued` slots are filled.
  private readonly txSlab = new Uint8Array(BATCH * SEND_SLOT);
  private readonly txLengths = new Uint32Array(BATCH);
  private readonly txAddrs = new Uint8Array(BATCH * ENDPOINT_RECORD_BYTES);
  private readonly txResult = new Int32Array(5);
  private queued = 0;
  private readonly stats = {
    'rx.datagrams': 0,
    'rx.bytes': 0,
    'rx.batches': 0,
    'rx.gro-trains': 0,
    'rx.truncated': 0,
    'tx.datagrams': 0,
    'tx.bytes': 0,
    'tx.batches': 0,
  };
  private readonly errors = new Map<string, number>();

  constructor(
    private readonly addon: UdpAddon,
    private readonly family: 4 | 6,
    opened: { fd: number; port: number; rcvbuf: number; sndbuf: number },
    scopes: ScopeNames,
  ) {
    this.type = family === 4 ? 'udp4' : 'udp6';
    this.fd = opened.fd;
    this.port = opened.port;
    this.recvBufferSize = opened.rcvbuf;
    this.sendBufferSize = opened.sndbuf;
    this.records = new EndpointRecords(scopes);
  }

  onDatagram(handler: (data: Buffer, from: Endpoint) => void): void {
    this.handler = handler;
    if (this.reader === undefined && !this.closed)
      this.reader = this.addon.readStart(
        this.fd,
        this.family,
        this.rxSlab,
        this.rxLengths,
        this.rxSegments,
        this.rxAddrs,
        RECV_SLOT,
        BATCH,
        (count, truncated, errno) => this.onRead(count, truncated, errno),
      );
  }

  /** Holds sends until the matching uncork(), so a burst leaves in batches. Nests. */
  cork(): void {
    this.corks++;
  }

  uncork(): void {
    if (this.corks > 0) this.corks--;
    if (this.corks === 0) this.flush();
  }

  send(to: Endpoint, data: Uint8Array): void {
    const refused = sendRefusal(to, this.closed);
    const rec = refused === undefined ? this.records.recordOf(to) : undefined;
    if (rec === undefined || (this.family === 4 && !isV4MappedRecord(rec))) {
      this.count(refused ?? (rec === undefined ? 'tx.error.bad-address' : 'tx.error.EAFNOSUPPORT'));
      return;
    }
    if (data.length > SEND_SLOT) {
      this.flush();
      this.sendAlone(rec, data);
      return;
    }
    const i = this.queued++;
    this.txSlab.set(data, i * SEND_SLOT);
    this.txLengths[i] = data.length;
    this.txAddrs.set(rec, i * ENDPOINT_RECORD_BYTES);
    if (this.corks === 0 || this.queued === BATCH) this.flush();
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.flush();
    this.closed = true;
    this.handler = undefined;
    if (this.reader !== undefined) this.addon.readStop(this.reader);
    this.reader = undefined;
    try {
      this.addon.closeFd(this.fd);
    } catch {
      // already gone
    }
    return Promise.resolve();
  }

  counters(): Record<string, number> {
    const out: Record<string, number> = { ...this.stats };
    for (const [k, v] of this.errors) out[k] = v;
    return out;
  }

  private flush(): void {
    const n = this.queued;
    if (n === 0) return;
    this.queued = 0;
    this.transmit(this.txSlab, this.txLengths, this.txAddrs, SEND_SLOT, n);
  }

  private sendAlone(rec: Uint8Array, data: Uint8Array): void {
    this.transmit(data, Uint32Array.of(data.length), rec, data.length, 1);
  }

  private transmit(slab: Uint8Array, lengths: Uint32Array, addrs: Uint8Array, slot: number, n: number): void {
    const r = this.txResult;
    const sent = this.addon.sendBatch(this.fd, this.family, slab, lengths, addrs, slot, n, this.gsoMax, r);
    this.stats['tx.batches']++;
    this.stats['tx.datagrams'] += sent;
    let bytes = 0;
    for (let i = 0; i < n; i++) bytes += lengths[i]!;
    if (sent === n) {
      this.stats['tx.bytes'] += bytes;
      return;
    }
    const again = r[1]!;
    const failed = r[2]!;
    const errno = r[3]!;
    if (again > 0) this.count('tx.error.EAGAIN', again);
    if (failed > 0) this.count(`tx.error.${errnoName(errno)}`, failed);
    if (r[4]! > 0 && this.gsoMax > 0 && GSO_REFUSALS.has(errno)) {
      this.gsoMax = 0;
      this.count('tx.gso-disabled');
    }
  }

  private onRead(count: number, truncated: number, errno: number): void {
    if (truncated > 0) this.stats['rx.truncated'] += truncated;
    if (errno !== 0) this.count(`socket.error.${errnoName(errno)}`);
    if (count === 0) return;
    this.stats['rx.batches']++;
    this.cork();
    try {
      for (let i = 0; i < count; i++) {
        const base = i * RECV_SLOT;
        const len = this.rxLengths[i]!;
        const seg = this.rxSegments[i]!;
        const from = this.records.endpointAt(this.rxAddrs, i * ENDPOINT_RECORD_BYTES);
        if (seg === 0) {
          this.deliver(this.rxSlab.subarray(base, base + len), from);
          continue;
        }
        this.stats['rx.gro-trains']++;
        for (let off = 0; off < len; off += seg)
          this.deliver(this.rxSlab.subarray(base + off, base + Math.min(off + seg, len)), from);
      }
    } finally {
      this.uncork();
    }
  }

  private deliver(data: Buffer, from: Endpoint): void {
    this.stats['rx.datagrams']++;
    this.stats['rx.bytes'] += data.length;
    const handler = this.handler;
    if (handler === undefined) return;
    try {
      handler(data, from);
    } catch {
      // A bug above this layer; one datagram must not take the daemon down.
      this.count('rx.error.handler');
    }
  }

  private count(name: string, n = 1): void {
    this.errors.set(name, (this.errors.get(name) ?? 0) + n);
  }
}

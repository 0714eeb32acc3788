/**
 * The link layer's UDP socket: the I/O shell under the link-session state machine (src/link/api.ts)
 * and the forwarder. One socket carries every link of the node.
 *
 * - Dual stack: one 'udp6' socket bound to '::' with IPV6_V6ONLY off, so IPv4 and IPv6 peers share
 *   the port. The kernel shows IPv4 peers as v4-mapped addresses ('::ffff:198.18.1.2'); this file
 *   reports them as plain '198.18.1.2' and sends to an IPv4 endpoint at its mapped form, so no layer
 *   above ever sees a mapped address. If the host has no IPv6 it falls back to a 'udp4' socket,
 *   and sends to IPv6 endpoints are counted drops.
 * - Nothing throws after the bind: a failed send (EHOSTUNREACH, ENETUNREACH, EMSGSIZE, …) and a
 *   socket error are counted by their code (`tx.error.<CODE>`, `socket.error.<CODE>`).
 * - The socket buffers are enlarged to SOCKET_BUFFER_BYTES, best effort: the kernel clamps them to
 *   net.core.rmem_max / wmem_max, and `recvBufferSize` / `sendBufferSize` report what it granted.
 * - A bind failure is a HyphaError `HYPHA_ERR_LINK_BIND` whose message says what to do.
 */
import { createSocket, type RemoteInfo, type Socket, type SocketType } from 'node:dgram';
import { isIP, isIPv4 } from 'node:net';
import { HyphaError } from '../errors.js';
import type { Endpoint } from './api.js';
import { parseAddress } from './endpoint.js';
import { sendRefusal } from './endpoint-record.js';
import { loadUdpAddon, openNativeUdp, type UdpAddon } from './native-udp.js';

/** Requested SO_RCVBUF / SO_SNDBUF: 4 MiB absorbs a burst of ~2800 full-size frames. */
export const SOCKET_BUFFER_BYTES = 4 << 20;

/** The prefix of an IPv4-mapped IPv6 address (RFC 4291 §2.5.5.2) as Node prints it. */
const MAPPED_PREFIX = '::ffff:';

export interface UdpLinkOptions {
  /** UDP port; 0 picks a free one (tests), see `UdpLink.port`. */
  readonly port: number;
  /** Local address to bind; default '::' (every address, both families). An IPv4 address binds 'udp4'. */
  readonly host?: string;
  /** What the error message tells the user to change on a port conflict; default 'listen_port'. */
  readonly portSetting?: string;
  /**
   * 'native' (recvmmsg/sendmmsg, UDP GSO/GRO: native/src/udp.c), 'dgram' (Node's socket), or
   * 'auto' (default): native when the addon is built, else dgram.
   */
  readonly backend?: 'auto' | 'native' | 'dgram';
}

export interface UdpLink {
  /** The bound port (the one the kernel picked when the option was 0). */
  readonly port: number;
  /** 'udp6' (dual stack unless bound to one IPv6 address) or 'udp4' (no IPv6 on this host). */
  readonly type: SocketType;
  /** SO_RCVBUF / SO_SNDBUF as the kernel reports them after the enlargement (0 if unknown). */
  readonly recvBufferSize: number;
  readonly sendBufferSize: number;
  /**
   * Sets the one receive handler (a later call replaces it). `data` is valid only during the call
   * (the native socket reuses its receive slab): copy what you keep.
   */
  onDatagram(handler: (data: Buffer, from: Endpoint) => void): void;
  /** Holds sends until the matching uncork() so that a burst leaves in batches (nests; a no-op for dgram). */
  cork(): void;
  uncork(): void;
  /**
   * Sends one datagram to an IP literal (a host name is refused as `tx.error.bad-address`, never
   * resolved); never throws. Failures are counted by code.
   */
  send(to: Endpoint, data: Uint8Array): void;
  /** Closes the socket; sends after this are counted as `tx.error.closed`. */
  close(): Promise<void>;
  /**
   * Monotonic counters: `rx.datagrams`, `rx.bytes`, `tx.datagrams`, `tx.bytes` (accepted by the
   * kernel), `tx.error.<CODE>` (a send that failed: EHOSTUNREACH, ENETUNREACH, EAFNOSUPPORT, …,
   * `closed`), `socket.error.<CODE>`, `rx.error.handler` (the receive handler threw).
   */
  counters(): Record<string, number>;
}

/** Turns a v4-mapped source address into plain IPv4; returns every other address unchanged. */
export function unmapAddress(address: string): string {
  if (address.length > MAPPED_PREFIX.length && address.startsWith(MAPPED_PREFIX)) {
    const v4 = address.slice(MAPPED_PREFIX.length);
    if (isIPv4(v4)) return v4;
  }
  return address;
}

/** Returns the message of a bind failure: what happened and what to do. */
function bindErrorMessage(err: NodeJS.ErrnoException, host: string, port: number, setting: string): string {
  switch (err.code) {
    case 'EADDRINUSE':
      return `UDP port ${port} is already in use: stop the other process or set ${setting}`;
    case 'EACCES':
    case 'EPERM':
      return `binding UDP port ${port} is not permitted: choose a port above 1023 in ${setting}, or grant CAP_NET_BIND_SERVICE`;
    case 'EADDRNOTAVAIL':
      return `cannot bind UDP port ${port} on ${host}: the address is not on this host; bind to another address`;
    default:
      return `cannot bind UDP port ${port} on ${host} (${err.code ?? err.message}): check ${setting} and the host's network setup`;
  }
}

/** Binds `socket`; resolves when listening, rejects with the bind error (and closes the socket). */
function bindSocket(socket: Socket, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      socket.removeListener('listening', onListening);
      try {
        socket.close();
      } catch {
        // never opened
      }
      reject(err);
    };
    const onListening = () => {
      socket.removeListener('error', onError);
      resolve();
    };
    socket.once('error', onError);
    socket.once('listening', onListening);
    socket.bind({ port, address, exclusive: true });
  });
}

/** The errno codes that mean "this host has no IPv6", for the fall back to 'udp4'. */
const NO_IPV6 = new Set(['EAFNOSUPPORT', 'EPROTONOSUPPORT', 'EADDRNOTAVAIL']);

/** Opens the link socket. Throws HyphaError HYPHA_ERR_LINK_BIND if it cannot bind. */
export async function openUdpLink(opts: UdpLinkOptions): Promise<UdpLink> {
  const { port } = opts;
  if (!Number.isInteger(port) || port < 0 || port > 0xffff)
    throw new RangeError(`port must be an integer 0..65535, got ${port}`);
  const setting = opts.portSetting ?? 'listen_port';
  const host = opts.host ?? '::';
  const backend = opts.backend ?? 'auto';
  if (backend !== 'dgram') {
    const addon = loadUdpAddon();
    if (addon !== undefined) return openNative(addon, host, port, setting);
    if (backend === 'native')
      throw new HyphaError(
        'HYPHA_ERR_LINK_BIND',
        'the native UDP socket is not built (native/build/Release/hypha_udp.node): run npm run build:native, or use the dgram backend',
      );
  }
  let type: SocketType = isIPv4(host) ? 'udp4' : 'udp6';
  let bound = host;
  let socket = createSocket({ type, ipv6Only: false });
  try {
    await bindSocket(socket, port, bound);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (type === 'udp6' && host === '::' && NO_IPV6.has(e.code ?? '')) {
      type = 'udp4';
      bound = '0.0.0.0';
      socket = createSocket({ type });
      try {
        await bindSocket(socket, port, bound);
      } catch (err4) {
        const e4 = err4 as NodeJS.ErrnoException;
        throw new HyphaError('HYPHA_ERR_LINK_BIND', bindErrorMessage(e4, bound, port, setting), {
          cause: e4,
        });
      }
    } else {
      throw new HyphaError('HYPHA_ERR_LINK_BIND', bindErrorMessage(e, bound, port, setting), { cause: e });
    }
  }
  return new DgramLink(socket, type);
}

function openNative(addon: UdpAddon, host: string, port: number, setting: string): UdpLink {
  const v4 = isIPv4(host);
  const bytes = parseAddress(host);
  if (bytes === undefined || host.includes('%'))
    throw new HyphaError(
      'HYPHA_ERR_LINK_BIND',
      `cannot bind to ${host}: not an IP address; use an address of this host`,
    );
  const bindAddress = new Uint8Array(16);
  if (v4) {
    bindAddress[10] = 0xff;
    bindAddress[11] = 0xff;
    bindAddress.set(bytes, 12);
  } else bindAddress.set(bytes);
  const open = (family: 4 | 6) =>
    openNativeUdp(addon, { family, bindAddress, port, bufferBytes: SOCKET_BUFFER_BYTES });
  try {
    return open(v4 ? 4 : 6);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (!v4 && host === '::' && NO_IPV6.has(e.code ?? '')) {
      try {
        return open(4);
      } catch (err4) {
        const e4 = err4 as NodeJS.ErrnoException;
        throw new HyphaError('HYPHA_ERR_LINK_BIND', bindErrorMessage(e4, '0.0.0.0', port, setting), {
          cause: e4,
        });
      }
    }
    throw new HyphaError('HYPHA_ERR_LINK_BIND', bindErrorMessage(e, host, port, setting), { cause: e });
  }
}

/** Best-effort buffer enlargement; returns the size the kernel reports, or 0. */
function enlarge(set: () => void, get: () => number): number {
  try {
    set();
  } catch {
    // rmem_max / wmem_max or the platform said no: keep the default
  }
  try {
    return get();
  } catch {
    return 0;
  }
}

class DgramLink implements UdpLink {
  readonly port: number;
  readonly recvBufferSize: number;
  readonly sendBufferSize: number;
  private handler: ((data: Buffer, from: Endpoint) => void) | undefined;
  private closed = false;
  private rxDatagrams = 0;
  private rxBytes = 0;
  private txDatagrams = 0;
  private txBytes = 0;
  private readonly errors = new Map<string, number>();
  /** One callback for every send (no closure per datagram): counts failures by code. */
  private readonly afterSend = (err: Error | null, bytes: number): void => {
    if (err) {
      this.countError('tx.error.', err);
      return;
    }
    this.txDatagrams++;
    this.txBytes += bytes;
  };

  constructor(
    private readonly socket: Socket,
    readonly type: SocketType,
  ) {
    this.port = socket.address().port;
    this.recvBufferSize = enlarge(
      () => socket.setRecvBufferSize(SOCKET_BUFFER_BYTES),
      () => socket.getRecvBufferSize(),
    );
    this.sendBufferSize = enlarge(
      () => socket.setSendBufferSize(SOCKET_BUFFER_BYTES),
      () => socket.getSendBufferSize(),
    );
    socket.on('error', (err) => this.countError('socket.error.', err));
    socket.on('message', (msg: Buffer, rinfo: RemoteInfo) => this.receive(msg, rinfo));
  }

  onDatagram(handler: (data: Buffer, from: Endpoint) => void): void {
    this.handler = handler;
  }

  cork(): void {}

  uncork(): void {}

  send(to: Endpoint, data: Uint8Array): void {
    const refused = sendRefusal(to, this.closed);
    if (refused !== undefined) {
      this.count(refused);
      return;
    }
    let address = to.address;
    // Only IP literals: a host name would make Node resolve it on the send path.
    const family = isIP(address);
    if (family === 6) {
      if (this.type === 'udp4') {
        this.count('tx.error.EAFNOSUPPORT');
        return;
      }
    } else if (family === 4) {
      if (this.type === 'udp6') address = MAPPED_PREFIX + address;
    } else {
      this.count('tx.error.bad-address');
      return;
    }
    try {
      this.socket.send(data, to.port, address, this.afterSend);
    } catch (err) {
      // Synchronous refusals: a bad port or address, a socket closing underneath.
      this.countError('tx.error.', err);
    }
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    this.handler = undefined;
    return new Promise((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }

  counters(): Record<string, number> {
    const out: Record<string, number> = {
      'rx.datagrams': this.rxDatagrams,
      'rx.bytes': this.rxBytes,
      'tx.datagrams': this.txDatagrams,
      'tx.bytes': this.txBytes,
    };
    for (const [k, v] of this.errors) out[k] = v;
    return out;
  }

  private receive(msg: Buffer, rinfo: RemoteInfo): void {
    this.rxDatagrams++;
    this.rxBytes += msg.length;
    const handler = this.handler;
    if (handler === undefined) return;
    try {
      handler(msg, { address: unmapAddress(rinfo.address), port: rinfo.port });
    } catch {
      // A bug above this layer; one datagram must not take the daemon down.
      this.count('rx.error.handler');
    }
  }

  private countError(prefix: string, err: unknown): void {
    const code = (err as NodeJS.ErrnoException | undefined)?.code;
    this.count(prefix + (typeof code === 'string' && code.length > 0 ? code : 'unknown'));
  }

  private count(name: string): void {
    this.errors.set(name, (this.errors.get(name) ?? 0) + 1);
  }
}

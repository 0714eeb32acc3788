/**
 * LAN discovery, the I/O part: the multicast socket, the interface scan, and a small driver that
 * runs the sans-IO state machine of discovery.ts on real timers.
 *
 * - Group DISCOVERY_GROUP (ff12::6879:7068), UDP port `discovery.port` (default 9650). The group is
 *   link-local scope (the 2 in ff12) with the T flag set: RFC 4291 §2.7 keeps T = 0 (ff02::…) for
 *   addresses IANA assigns, and hypha has no assignment. 6879:7068 is ASCII "hyph".
 * - One 'udp6' socket (IPv6 only, SO_REUSEADDR so several listeners on one host all get the
 *   beacons) bound to [::]:port. It joins the group on each discovery interface and sends the beacon
 *   on each of them, one at a time: IPV6_MULTICAST_IF ('::%ifname') and a scoped destination
 *   ('ff12::6879:7068%ifname') both name the interface.
 * - Discovery interfaces: `discovery.interfaces`, or when that is empty every interface that is up,
 *   not loopback, multicast-capable and has an IPv6 link-local address (os.networkInterfaces(), and
 *   the flags in /sys/class/net/<name>/flags when readable). A named interface is used once it
 *   exists, is up and has a link-local address.
 * - The interfaces are scanned again every RESCAN_INTERVAL_MS: a veth moved into a namespace, a USB
 *   NIC or a Wi-Fi link that comes up later is joined then, and beaconed on at once.
 * - Received datagrams are delivered with the scoped source address ('fe80::1%eth0') and only from
 *   joined interfaces. Interface and socket errors are counted, never thrown, after the bind.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { type NetworkInterfaceInfo, networkInterfaces } from 'node:os';
import { performance } from 'node:perf_hooks';
import { DEFAULT_DISCOVERY_PORT } from '../config/keys.js';
import { HyphaError } from '../errors.js';
import type { Endpoint, Millis, PeerTarget } from './api.js';
import type { Discovery } from './discovery.js';

/** The hypha discovery group: link-local scope, transient (T flag), "hyph" in ASCII. */
export const DISCOVERY_GROUP = 'ff12::6879:7068';
/** How often the interfaces are scanned again. */
export const RESCAN_INTERVAL_MS = 10_000;
/** Most beacon sends waiting for the socket; more are dropped and counted (`tx.drop.queue`). */
const SEND_QUEUE_MAX = 256;
/** Multicast hop limit: the group is link-local, a router would not forward it anyway. */
const MULTICAST_HOPS = 1;

/** Linux interface flags (linux/if.h). */
const IFF_UP = 0x1;
const IFF_LOOPBACK = 0x8;
const IFF_MULTICAST = 0x1000;

/** One usable discovery interface: its name and index (the link-local address's scope id). */
export interface DiscoveryInterface {
  readonly name: string;
  readonly index: number;
}

/** The parts of the host the interface scan reads; tests replace them. */
export interface InterfaceSource {
  list(): NodeJS.Dict<NetworkInterfaceInfo[]>;
  /** The interface's flags (IFF_*), or undefined when they cannot be read. */
  flags(name: string): number | undefined;
  /**
   * The index of the interface the flags come from, if known: flags are used only when it matches
   * the listing (a /sys mounted for another network namespace shows other interfaces).
   */
  sysIndex?(name: string): number | undefined;
}

/** True for a name that can be a Linux interface (IFNAMSIZ, no '/', '%', ':' or space) and a /sys path. */
function plausibleName(name: string): boolean {
  return /^[^/%:\s]{1,15}$/.test(name) && name !== '.' && name !== '..';
}

/** Reads a number from /sys/class/net/<name>/<file>, or undefined. */
function sysNumber(name: string, file: string, radix: number): number | undefined {
  if (!plausibleName(name)) return undefined;
  try {
    const n = Number.parseInt(readFileSync(`/sys/class/net/${name}/${file}`, 'utf8').trim(), radix);
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

export const hostInterfaces: InterfaceSource = {
  list: () => networkInterfaces(),
  flags: (name) => sysNumber(name, 'flags', 16),
  sysIndex: (name) => sysNumber(name, 'ifindex', 10),
};

/**
 * The index of interface `name` in this network namespace now (the scope id of its link-local
 * address), or undefined if it has none. Every join and send checks it first: libuv turns '::%name'
 * of a vanished interface into index 0, and index 0 lets the kernel pick an interface by route,
 * which could be one discovery must not use. (os.networkInterfaces() asks the kernel over netlink,
 * so it sees this process's namespace even where /sys shows another.)
 */
function currentIndex(name: string): number | undefined {
  const ll = networkInterfaces()[name]?.find(
    (a) => a.family === 'IPv6' && /^fe[89ab]/i.test(a.address) && (a.scopeid ?? 0) > 0,
  );
  return ll?.scopeid;
}

/**
 * Returns the interfaces to run discovery on, sorted by name: `wanted` (or, when empty, every
 * interface) that is up, not loopback, multicast-capable and has an IPv6 link-local address.
 * Throws only if `source` does.
 */
export function scanInterfaces(wanted: readonly string[], source: InterfaceSource): DiscoveryInterface[] {
  const all = source.list();
  const names = wanted.length > 0 ? wanted : Object.keys(all);
  const out: DiscoveryInterface[] = [];
  for (const name of new Set(names)) {
    if (!plausibleName(name)) continue;
    const addrs = all[name];
    if (addrs === undefined) continue;
    const ll = addrs.find(
      (a) => a.family === 'IPv6' && !a.internal && /^fe[89ab]/i.test(a.address) && (a.scopeid ?? 0) > 0,
    );
    if (ll === undefined) continue;
    const index = ll.scopeid!;
    const sysIndex = source.sysIndex?.(name);
    const flags = sysIndex === undefined || sysIndex === index ? source.flags(name) : undefined;
    // libuv lists only interfaces that are up and running; the flags add loopback and multicast.
    if (flags !== undefined && ((flags & IFF_UP) === 0 || (flags & IFF_LOOPBACK) !== 0)) continue;
    if (flags !== undefined && (flags & IFF_MULTICAST) === 0) continue;
    out.push({ name, index });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export interface DiscoverySocketOptions {
  /** UDP port of the beacons (`discovery.port`); 0 picks one (tests only: peers must share the port). */
  readonly port: number;
  /** `discovery.interfaces`: names to use; empty means every suitable interface. */
  readonly interfaces: readonly string[];
  /** Interval of the interface scan (default RESCAN_INTERVAL_MS). */
  readonly rescanMs?: Millis;
  /** The group to join (default DISCOVERY_GROUP; tests only). */
  readonly group?: string;
  /** Where the interfaces come from (default the host). */
  readonly source?: InterfaceSource;
  /** Operator-visible events: `interface-joined`, `interface-left`, `join-failed`, `scan-failed`. */
  readonly onEvent?: (event: string, detail: Readonly<Record<string, unknown>>) => void;
}

export interface DiscoverySocket {
  /** The bound port. */
  readonly port: number;
  readonly group: string;
  /** The interfaces currently joined. */
  interfaces(): DiscoveryInterface[];
  /** Sets the one receive handler. `from.address` is scoped: 'fe80::1%eth0'. */
  onBeacon(handler: (data: Buffer, from: Endpoint) => void): void;
  /**
   * Called after a scan joined interfaces (the first scan included), with their names: the driver
   * beacons on them at once.
   */
  onJoined(handler: (names: readonly string[]) => void): void;
  /** Sends `beacon` to the group on every joined interface, or only on `names`. Never throws. */
  sendBeacon(beacon: Uint8Array, names?: readonly string[]): void;
  /** Scans the interfaces now (also runs on its own timer); returns what changed. */
  rescan(): { joined: string[]; left: string[] };
  close(): Promise<void>;
  /**
   * Monotonic counters: `rx.datagrams`, `rx.drop.interface` (from an interface not joined),
   * `tx.beacon`, `tx.drop.queue`, `tx.error.<CODE>`, `join.error.<CODE>`, `leave.error.<CODE>`,
   * `multicast-if.error.<CODE>`, `scan.error`, `socket.error.<CODE>`, `interface.joined`,
   * `interface.left`.
   */
  counters(): Record<string, number>;
}

function codeOf(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && code.length > 0 ? code : 'unknown';
}

/** Returns the message of a bind failure of the discovery socket: what happened and what to do. */
function bindErrorMessage(err: NodeJS.ErrnoException, port: number): string {
  switch (err.code) {
    case 'EADDRINUSE':
      return `UDP port ${port} (discovery) is already in use: stop the other process, set discovery.port, or set discovery.enabled = false`;
    case 'EACCES':
    case 'EPERM':
      return `binding UDP port ${port} (discovery) is not permitted: choose a port above 1023 in discovery.port, or grant CAP_NET_BIND_SERVICE`;
    case 'EAFNOSUPPORT':
    case 'EPROTONOSUPPORT':
      return 'LAN discovery needs IPv6, which this host does not have: set discovery.enabled = false';
    default:
      return `cannot bind UDP port ${port} (discovery) (${err.code ?? err.message}): check discovery.port, or set discovery.enabled = false`;
  }
}

/** Opens the discovery socket and joins the group on the interfaces found now. Throws HYPHA_ERR_LINK_BIND. */
export async function openDiscoverySocket(opts: DiscoverySocketOptions): Promise<DiscoverySocket> {
  const { port } = opts;
  if (!Number.isInteger(port) || port < 0 || port > 0xffff)
    throw new RangeError(`port must be an integer 0..65535, got ${port}`);
  const rescanMs = opts.rescanMs ?? RESCAN_INTERVAL_MS;
  if (!(rescanMs > 0)) throw new RangeError(`rescanMs must be > 0, got ${rescanMs}`);
  const socket = createSocket({ type: 'udp6', ipv6Only: true, reuseAddr: true });
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      socket.removeListener('listening', onListening);
      try {
        socket.close();
      } catch {
        // never opened
      }
      reject(new HyphaError('HYPHA_ERR_LINK_BIND', bindErrorMessage(err, port), { cause: err }));
    };
    const onListening = () => {
      socket.removeListener('error', onError);
      resolve();
    };
    socket.once('error', onError);
    socket.once('listening', onListening);
    socket.bind({ port, address: '::' });
  });
  const ds = new MulticastSocket(socket, opts, rescanMs);
  ds.start();
  return ds;
}

class MulticastSocket implements DiscoverySocket {
  readonly port: number;
  readonly group: string;
  private readonly wanted: readonly string[];
  private readonly source: InterfaceSource;
  private readonly onEvent: (event: string, detail: Readonly<Record<string, unknown>>) => void;
  /** Joined interfaces by name. */
  private readonly joined = new Map<string, DiscoveryInterface>();
  private handler: ((data: Buffer, from: Endpoint) => void) | undefined;
  private joinedHandler: ((names: readonly string[]) => void) | undefined;
  private readonly queue: { name: string; data: Uint8Array }[] = [];
  private sending = false;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly socket: Socket,
    opts: DiscoverySocketOptions,
    private readonly rescanMs: Millis,
  ) {
    this.port = socket.address().port;
    this.group = opts.group ?? DISCOVERY_GROUP;
    this.wanted = [...opts.interfaces];
    this.source = opts.source ?? hostInterfaces;
    this.onEvent = opts.onEvent ?? (() => {});
    socket.on('error', (err) => this.count(`socket.error.${codeOf(err)}`));
    socket.on('message', (msg: Buffer, rinfo: RemoteInfo) => this.receive(msg, rinfo));
    try {
      socket.setMulticastTTL(MULTICAST_HOPS);
    } catch (err) {
      this.count(`socket.error.${codeOf(err)}`);
    }
  }

  start(): void {
    this.rescan();
    this.timer = setInterval(() => this.rescan(), this.rescanMs);
    this.timer.unref();
  }

  interfaces(): DiscoveryInterface[] {
    return [...this.joined.values()];
  }

  onBeacon(handler: (data: Buffer, from: Endpoint) => void): void {
    this.handler = handler;
  }

  onJoined(handler: (names: readonly string[]) => void): void {
    this.joinedHandler = handler;
  }

  sendBeacon(beacon: Uint8Array, names?: readonly string[]): void {
    if (this.closed) return;
    for (const name of names ?? [...this.joined.keys()]) {
      if (!this.joined.has(name)) continue;
      if (this.queue.length >= SEND_QUEUE_MAX) {
        this.count('tx.drop.queue');
        continue;
      }
      this.queue.push({ name, data: beacon });
    }
    this.pump();
  }

  rescan(): { joined: string[]; left: string[] } {
    const joined: string[] = [];
    const left: string[] = [];
    if (this.closed) return { joined, left };
    let found: DiscoveryInterface[];
    try {
      found = scanInterfaces(this.wanted, this.source);
    } catch (err) {
      this.count('scan.error');
      this.onEvent('scan-failed', { error: codeOf(err) });
      return { joined, left };
    }
    const now = new Map(found.map((i) => [i.name, i]));
    for (const [name, iface] of this.joined) {
      const still = now.get(name);
      if (still !== undefined && still.index === iface.index) continue;
      // Gone, down, or re-created under the same name (a new index): leave; a new one re-joins below.
      try {
        this.socket.dropMembership(this.group, `::%${name}`);
      } catch (err) {
        // The kernel already dropped it with the interface.
        this.count(`leave.error.${codeOf(err)}`);
      }
      this.joined.delete(name);
      this.count('interface.left');
      this.onEvent('interface-left', { interface: name });
      left.push(name);
    }
    for (const iface of found) {
      if (this.joined.has(iface.name)) continue;
      if (currentIndex(iface.name) !== iface.index) {
        // Gone (or renumbered) since the listing: tried again at the next scan.
        this.count('join.error.ENODEV');
        this.onEvent('join-failed', { interface: iface.name, error: 'ENODEV' });
        continue;
      }
      try {
        this.socket.addMembership(this.group, `::%${iface.name}`);
      } catch (err) {
        const code = codeOf(err);
        if (code !== 'EADDRINUSE') {
          // Tried again at the next scan.
          this.count(`join.error.${code}`);
          this.onEvent('join-failed', { interface: iface.name, error: code });
          continue;
        }
        // EADDRINUSE: still a member from before (e.g. a failed leave); keep it.
      }
      this.joined.set(iface.name, iface);
      this.count('interface.joined');
      this.onEvent('interface-joined', { interface: iface.name, index: iface.index });
      joined.push(iface.name);
    }
    if (joined.length > 0) this.joinedHandler?.(joined);
    return { joined, left };
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.queue.length = 0;
    this.handler = undefined;
    this.joinedHandler = undefined;
    return new Promise((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }

  counters(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  /** Sends the queued beacons one at a time: the multicast interface is socket state. */
  private pump(): void {
    if (this.sending || this.closed) return;
    const item = this.queue.shift();
    if (item === undefined) return;
    const iface = this.joined.get(item.name);
    if (iface === undefined) {
      this.pump();
      return;
    }
    if (currentIndex(iface.name) !== iface.index) {
      // Gone since the last scan; the next scan leaves it.
      this.count('tx.error.ENODEV');
      this.pump();
      return;
    }
    try {
      this.socket.setMulticastInterface(`::%${item.name}`);
    } catch (err) {
      this.count(`multicast-if.error.${codeOf(err)}`);
      this.pump();
      return;
    }
    // The scoped group names the interface too, when Node takes the zone as an IP literal (a name
    // with characters outside [0-9a-zA-Z-.:] is not; then IPV6_MULTICAST_IF alone decides).
    const scoped = `${this.group}%${item.name}`;
    const to = isIP(scoped) === 6 ? scoped : this.group;
    this.sending = true;
    try {
      this.socket.send(item.data, this.port, to, (err) => {
        this.sending = false;
        if (err) this.count(`tx.error.${codeOf(err)}`);
        else this.count('tx.beacon');
        this.pump();
      });
    } catch (err) {
      this.sending = false;
      this.count(`tx.error.${codeOf(err)}`);
      this.pump();
    }
  }

  private receive(msg: Buffer, rinfo: RemoteInfo): void {
    this.count('rx.datagrams');
    const zone = rinfo.address.indexOf('%');
    if (zone >= 0 && !this.joined.has(rinfo.address.slice(zone + 1))) {
      this.count('rx.drop.interface');
      return;
    }
    try {
      this.handler?.(msg, { address: rinfo.address, port: rinfo.port });
    } catch {
      this.count('rx.error.handler');
    }
  }

  private count(name: string): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
  }
}

export interface StartDiscoveryOptions extends Omit<DiscoverySocketOptions, 'port'> {
  /** `discovery.port`; default DEFAULT_DISCOVERY_PORT. */
  readonly port?: number;
  /** The state machine (createDiscovery), with our key, listen port and network tag. */
  readonly discovery: Discovery;
  /** Monotonic ms; default performance.now(). */
  readonly now?: () => Millis;
  /** A peer to dial (give it to LinkManager.addPeer). */
  readonly onPeer: (target: PeerTarget) => void;
}

export interface DiscoveryRunner {
  readonly socket: DiscoverySocket;
  readonly discovery: Discovery;
  /** The socket's and the state machine's counters, the latter prefixed `discovery.`. */
  counters(): Record<string, number>;
  close(): Promise<void>;
}

/**
 * Runs discovery: opens the socket, beacons on every joined interface when the state machine says
 * one is due (and at once on a newly joined interface), and hands each proposed peer to `onPeer`.
 * Throws HYPHA_ERR_LINK_BIND if the socket cannot bind.
 */
export async function startDiscovery(opts: StartDiscoveryOptions): Promise<DiscoveryRunner> {
  const { discovery, onPeer } = opts;
  const now = opts.now ?? (() => performance.now());
  const socket = await openDiscoverySocket({ ...opts, port: opts.port ?? DEFAULT_DISCOVERY_PORT });
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let peerErrors = 0;

  const arm = (): void => {
    if (closed) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(tick, Math.max(0, discovery.nextTimeout() - now()));
    timer.unref();
  };
  const tick = (): void => {
    timer = undefined;
    if (closed) return;
    if (discovery.beaconDue(now())) socket.sendBeacon(discovery.beacon());
    arm();
  };

  socket.onBeacon((data, from) => {
    const target = discovery.handleBeacon(data, from, now());
    if (target === undefined) return;
    try {
      onPeer(target);
    } catch {
      peerErrors++;
    }
  });
  socket.onJoined((names) => socket.sendBeacon(discovery.beacon(), names));
  // The first scan ran inside openDiscoverySocket, before onJoined was set: the first tick (due at
  // once) beacons on those interfaces.
  arm();

  return {
    socket,
    discovery,
    counters: () => {
      const out: Record<string, number> = { ...socket.counters() };
      for (const [k, v] of Object.entries(discovery.counters())) out[`discovery.${k}`] = v;
      if (peerErrors > 0) out['discovery.peer.error'] = peerErrors;
      return out;
    },
    close: async () => {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      await socket.close();
    },
  };
}

/**
 * A running node: the identity, the TUN, the UDP link socket, the link sessions, the routing
 * engine, end-to-end encryption and the forwarder, wired together on one event loop.
 *
 *   TUN ──fromTun──▶ Forwarder ──sendData──▶ LinkDriver ──▶ UDP
 *   UDP ──▶ LinkDriver ──data──▶ Forwarder ──deliver──▶ TUN
 *                      ──up/down/control──▶ RoutingDriver ──install/remove──▶ ForwardingTable
 */

import { randomBytes as cryptoRandomBytes, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { type Config, DEFAULT_TUN_MTU, type PeerEndpoint } from '../config/index.js';
import { chooseE2eAlgorithm, cpuInfoHasAes, E2e } from '../crypto/e2e/index.js';
import type { NetworkKeys } from '../crypto/network-key.js';
import { Forwarder } from '../dataplane/forwarder.js';
import { ForwardingTable } from '../dataplane/forwarding-table.js';
import { formatIPv6 } from '../identity/address.js';
import { loadSeed } from '../identity/keyfile.js';
import { identityFromSeed, type NodeIdentity, publicIdentityFromEd25519, sign } from '../identity/keys.js';
import type { Endpoint, PeerTarget } from '../link/api.js';
import { createLinkManager } from '../link/manager.js';
import { openUdpLink, type UdpLink } from '../link/udp.js';
import { createRoutingEngine } from '../routing/engine.js';
import { TunBatchReader } from '../tun/batch-reader.js';
import { CoalescingWriter } from '../tun/coalescing-writer.js';
import { configureTun, type NativeTun, type TunDevice } from '../tun/index.js';
import { toHex } from '../util/bytes.js';
import { AE } from '../wire/babel/types.js';
import { monotonicNow } from './clock.js';
import { LinkDriver } from './link-driver.js';
import { loadNetworkKeys } from './network.js';
import { RoutingDriver } from './routing-driver.js';
import { createVerifier } from './signing.js';
import { warmDataPath } from './warm-up.js';

/** How often the forwarder expires waiting packets and e2e keys. */
const HOUSEKEEPING_MS = 1_000;
/**
 * Hello (+ IHU) period per neighbour. Half the engine's 4 s default: a silently cut link is noticed
 * after two missed Hellos, so this halves failover time for one small packet per neighbour per 2 s.
 */
const HELLO_INTERVAL_MS = 2_000;
/** How long the shutdown retractions get to leave the socket before it closes. */
const SHUTDOWN_FLUSH_MS = 50;

export interface NodeOptions {
  readonly config: Config;
  readonly log: Logger;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Inherited descriptor with the seed as hex (`--key-fd`). */
  readonly keyFd?: number;
}

export interface RunningNode {
  readonly identity: NodeIdentity;
  readonly startedAt: number;
  readonly tun: TunDevice;
  /** Writes to the TUN, merging TCP trains. */
  readonly tunWriter: CoalescingWriter;
  /** Reads TUN batches, cutting TSO super-packets. */
  readonly tunReader: TunBatchReader;
  /** The link socket (its counters: datagrams, batches, send errors by errno). */
  readonly udp: UdpLink;
  readonly links: LinkDriver;
  readonly routing: RoutingDriver;
  readonly forwarder: Forwarder;
  readonly table: ForwardingTable;
  readonly e2e: E2e;
  readonly listenPort: number;
  readonly networkKeys: NetworkKeys;
  /** A peer a LAN beacon proposed: dialled and authenticated like a static one, not retried for ever. */
  addDiscoveredPeer(target: PeerTarget): void;
  /** Makes the static peer set equal to `peers` (SIGHUP, API). */
  setStaticPeers(peers: readonly PeerEndpoint[]): void;
  addStaticPeer(peer: PeerEndpoint): void;
  removeStaticPeer(endpoint: Endpoint): boolean;
  staticPeers(): PeerEndpoint[];
  stop(): Promise<void>;
}

function readCpuInfo(): string {
  try {
    return readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return '';
  }
}

export function endpointOf(peer: PeerEndpoint): Endpoint {
  return { address: peer.host, port: peer.port };
}

export async function startNode(opts: NodeOptions): Promise<RunningNode> {
  const { config, log } = opts;
  const { seed, source } = loadSeed({
    keyFile: config.key_file,
    create: true,
    keyFd: opts.keyFd,
    env: opts.env,
  });
  const identity = identityFromSeed(seed);
  seed.fill(0);
  if (source.kind === 'file' && source.created) log.info({ keyFile: source.path }, 'created a new node key');
  const keys = loadNetworkKeys(config.network);
  const randomBytes = (n: number) => new Uint8Array(cryptoRandomBytes(n));
  const random = () => randomInt(0, 2 ** 47) / 2 ** 47;

  // The vnet header lets the receive path hand the kernel merged TCP trains (docs/fast-path.md).
  const tun = configureTun({
    name: config.tun_name,
    mtu: config.tun_mtu,
    address: identity.address,
    vnetHeader: true,
    offload: true,
  });
  let udp: UdpLink;
  try {
    udp = await openUdpLink({ port: config.listen_port });
  } catch (err) {
    tun.close();
    throw err;
  }

  try {
    return assemble(opts, identity, keys, tun, udp, randomBytes, random);
  } catch (err) {
    await udp.close();
    tun.close();
    throw err;
  }
}

/** Builds and wires everything on top of an open TUN and socket; throws if any part fails. */
function assemble(
  opts: NodeOptions,
  identity: NodeIdentity,
  keys: NetworkKeys,
  tun: NativeTun,
  udp: UdpLink,
  randomBytes: (n: number) => Uint8Array,
  random: () => number,
): RunningNode {
  const { config, log } = opts;
  const now = monotonicNow;
  const table = new ForwardingTable();
  const algorithm = chooseE2eAlgorithm(cpuInfoHasAes(readCpuInfo()));
  const e2e = new E2e({ identity, algorithm, randomBytes });
  // Before any packet: the first real ones then run optimized code (src/daemon/warm-up.ts).
  const warm = warmDataPath(algorithm, config.tun_mtu);
  log.debug({ ms: Math.round(warm.ms), packets: warm.delivered }, 'data path warmed up');
  const links = new LinkDriver(
    createLinkManager(
      { identity, keys, randomBytes, random },
      // Routing keeps every link busy with Hellos both ways, so three missed ones mean the peer lost
      // its session (a restart): re-handshake then, not after the link layer's generic 13 s.
      { probeAfterMs: 3 * HELLO_INTERVAL_MS },
    ),
    udp,
    now,
    log.child({ component: 'link' }),
  );
  const addresses = new Map<string, Uint8Array>();
  const engine = createRoutingEngine(
    {
      publicKey: identity.publicKey,
      subnet: { ae: AE.IPv6, addr: identity.subnet, plen: 64 },
      sign: (m) => sign(identity, m),
      verify: createVerifier(),
      addressOf: (pk) => {
        const id = toHex(pk);
        let a = addresses.get(id);
        if (a === undefined) {
          a = publicIdentityFromEd25519(pk).address;
          if (addresses.size >= 65_536) addresses.clear();
          addresses.set(id, a);
        }
        return a;
      },
      random,
    },
    { helloIntervalMs: HELLO_INTERVAL_MS },
    now(),
  );
  const tunWriter = new CoalescingWriter(tun);
  // TCP is cut to what a 1500-byte underlay carries whole (the default MTU), whatever tun_mtu says.
  const tunReader = new TunBatchReader(tun, DEFAULT_TUN_MTU);
  let forwarder: Forwarder | undefined;
  const routing = new RoutingDriver(
    engine,
    {
      sendControl: (n, body) => links.sendControl(n, body),
      install: (entry) => {
        table.install(entry);
        forwarder?.routeInstalled(entry, now());
      },
      remove: (prefix) => table.remove(prefix),
    },
    now,
    log.child({ component: 'routing' }),
  );
  forwarder = new Forwarder({
    identity,
    e2e,
    table,
    tunMtu: config.tun_mtu,
    output: {
      sendData: (n, frame) => links.sendData(n, frame),
      deliver: (packet) => tunWriter.write(packet),
      wantRoute: (address) => routing.handle({ kind: 'wantRoute', address }),
    },
  });
  const fwd = forwarder;

  links.start({
    up: (neighbour, publicKey) => routing.handle({ kind: 'neighbourUp', neighbour, publicKey }),
    down: (neighbour) => routing.handle({ kind: 'neighbourDown', neighbour }),
    control: (neighbour, body) => routing.controlReceived(neighbour, body),
    data: (neighbour, frame) => fwd.fromLink(neighbour, frame, now()),
  });
  tun.onPackets((batch) => {
    const t = now();
    udp.cork();
    try {
      tunReader.forEach(batch, (packet) => fwd.fromTun(packet, t));
    } finally {
      udp.uncork();
    }
  });
  tun.onError((err) => log.error({ err }, 'TUN read failed; packets from this host are no longer sent'));
  routing.handle({ kind: 'timer' });
  const housekeeping = setInterval(() => fwd.tick(now()), HOUSEKEEPING_MS);

  const statics = new Map<string, PeerEndpoint>();
  const addStaticPeer = (peer: PeerEndpoint): void => {
    if (statics.has(peer.uri)) return;
    statics.set(peer.uri, peer);
    links.addPeer({ endpoint: endpointOf(peer), origin: 'static' }, now());
  };
  const removeStaticPeer = (endpoint: Endpoint): boolean => {
    for (const [uri, p] of statics) {
      if (p.host === endpoint.address && p.port === endpoint.port) statics.delete(uri);
    }
    return links.removePeer(endpoint);
  };
  for (const peer of config.peers) addStaticPeer(peer);

  let stopped = false;
  const node: RunningNode = {
    identity,
    startedAt: now(),
    tun,
    tunWriter,
    tunReader,
    links,
    udp,
    routing,
    forwarder: fwd,
    table,
    e2e,
    listenPort: udp.port,
    networkKeys: keys,
    addDiscoveredPeer: (target) => links.addPeer(target, now()),
    addStaticPeer,
    removeStaticPeer,
    staticPeers: () => [...statics.values()],
    setStaticPeers(peers) {
      const wanted = new Map(peers.map((p) => [p.uri, p]));
      for (const [uri, p] of [...statics]) if (!wanted.has(uri)) removeStaticPeer(endpointOf(p));
      for (const p of peers) addStaticPeer(p);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(housekeeping);
      // Tell every neighbour to route around us now, and give the socket a moment to send it
      // (dgram sends leave on a later tick).
      routing.handle({ kind: 'shutdown' });
      await new Promise((r) => setTimeout(r, SHUTDOWN_FLUSH_MS));
      // Links next: their 'down' events still reach routing, which then stops for good.
      links.close();
      routing.stop();
      await udp.close();
      tun.close();
    },
  };
  log.info(
    {
      address: formatIPv6(identity.address),
      subnet: `${formatIPv6(identity.subnet)}/64`,
      publicKey: toHex(identity.publicKey),
      tun: tun.name,
      listenPort: udp.port,
      peers: config.peers.map((p) => p.uri),
    },
    'node running',
  );
  return node;
}

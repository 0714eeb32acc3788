/**
 * Child process for test/link/discovery-netns.test.ts, run inside one network namespace: runs LAN
 * discovery (startDiscovery) and prints JSON lines on stdout:
 *   {"event":"ready","port":…}                       once the socket is bound
 *   {"event":"interface-joined","interface":…}        and the other socket events
 *   {"event":"peer","address":…,"port":…,"key":…}     each proposed peer
 *   {"event":"counters","counters":{…}}               every second
 * It exits on SIGTERM, and by itself after `lifetimeMs` so it can never outlive a lost test.
 *
 * argv[2]: JSON { port, interfaces, keyHex, tagHex, listenPort, intervalMs, rescanMs, lifetimeMs }.
 */
import { createDiscovery } from '../../src/link/discovery.js';
import { startDiscovery } from '../../src/link/discovery-socket.js';
import { fromHex, toHex } from '../../src/util/bytes.js';

interface Args {
  readonly port: number;
  readonly interfaces: string[];
  readonly keyHex: string;
  readonly tagHex: string;
  readonly listenPort: number;
  readonly intervalMs: number;
  readonly rescanMs: number;
  readonly lifetimeMs: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const print = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);

const discovery = createDiscovery(
  {
    publicKey: fromHex(args.keyHex)!,
    listenPort: args.listenPort,
    networkTag: fromHex(args.tagHex)!,
    random: Math.random,
  },
  { intervalMs: args.intervalMs },
);
const runner = await startDiscovery({
  discovery,
  port: args.port,
  interfaces: args.interfaces,
  rescanMs: args.rescanMs,
  onEvent: (event, detail) => print({ event, ...detail }),
  onPeer: (t) =>
    print({ event: 'peer', address: t.endpoint.address, port: t.endpoint.port, key: toHex(t.expectedKey!) }),
});
print({ event: 'ready', port: runner.socket.port });

const stats = setInterval(() => print({ event: 'counters', counters: runner.counters() }), 1000);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  clearInterval(stats);
  clearTimeout(lifetime);
  await runner.close();
  process.exit(0);
};
const lifetime = setTimeout(stop, args.lifetimeMs);
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

/**
 * Child process for test/link/udp.test.ts, run inside a network namespace that has only loopback:
 * opens a link, sends to addresses that have no route there (test-bed ranges only), and prints the
 * counters as one JSON line. Exits by itself within a few seconds.
 */
import { openUdpLink } from '../../src/link/udp.js';

const backend = process.argv[2] === 'native' ? 'native' : 'dgram';
const link = await openUdpLink({ port: 0, backend });
const targets = [
  { address: '198.18.99.1', port: 9 },
  { address: 'fd00:198:18:99::1', port: 9 },
];
for (const to of targets) link.send(to, new Uint8Array(8));
// Send callbacks run after the kernel answered; give them a moment (bounded).
await new Promise((r) => setTimeout(r, 200));
process.stdout.write(`${JSON.stringify(link.counters())}\n`);
await link.close();

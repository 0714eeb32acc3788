/**
 * Forwarding-table lookups (src/dataplane/forwarding-table.ts) at 10k and 100k routes: one /64 per
 * node, derived the way node addresses are (BLAKE3 of an X25519 key, into 400::/7). Lookups walk
 * all installed destinations in a shuffled order, so the Map is not probed from a hot cache line.
 */
import { ForwardingTable } from '../../src/dataplane/forwarding-table.js';
import { addressFromX25519, maskPrefix, NODE_SUBNET_LEN } from '../../src/identity/address.js';
import { AE } from '../../src/wire/babel/index.js';
import { seededBytes } from './fixtures.js';
import type { MicroGroup, MicroTask } from './harness.js';
import { runTasks } from './harness.js';

const SIZES = [10_000, 100_000] as const;
const ABSENT = 10_000;
const BATCH = 1000;

function randomAddresses(count: number, rand: (n: number) => Uint8Array): Uint8Array[] {
  return Array.from({ length: count }, () => addressFromX25519(rand(32)));
}

function buildTable(addresses: readonly Uint8Array[], rand: (n: number) => Uint8Array): ForwardingTable {
  const table = new ForwardingTable();
  addresses.forEach((address, i) => {
    table.install({
      prefix: { ae: AE.IPv6, plen: NODE_SUBNET_LEN, addr: maskPrefix(address, NODE_SUBNET_LEN) },
      neighbour: String(i % 16),
      metric: 256 + (i % 1000),
      seqno: i & 0xffff,
      originator: rand(32),
    });
  });
  return table;
}

function shuffled<T>(xs: readonly T[], rand: (n: number) => Uint8Array): T[] {
  const out = [...xs];
  const r = rand(4 * out.length);
  const view = new DataView(r.buffer);
  for (let i = out.length - 1; i > 0; i--) {
    const j = view.getUint32(4 * i) % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** A lookup task cycling through `destinations`; `expectHit` guards against a broken fixture. */
function lookupTask(
  name: string,
  table: ForwardingTable,
  destinations: Uint8Array[],
  expectHit: boolean,
): MicroTask {
  let next = 0;
  return {
    name,
    batch: BATCH,
    op: () => {
      const hit = table.lookup(destinations[next]!) !== undefined;
      next = next + 1 === destinations.length ? 0 : next + 1;
      if (hit !== expectHit) throw new Error(`${name}: lookup ${hit ? 'found' : 'missed'} an address`);
    },
  };
}

function tasks(): MicroTask[] {
  const rand = seededBytes(64);
  const absent = randomAddresses(ABSENT, rand);
  const out: MicroTask[] = [];
  for (const size of SIZES) {
    const present = randomAddresses(size, rand);
    const table = buildTable(present, rand);
    if (table.size !== size) throw new Error(`table holds ${table.size} routes, expected ${size}`);
    const label = `${size / 1000}k routes`;
    out.push(lookupTask(`lookup present, ${label}`, table, shuffled(present, rand), true));
    out.push(lookupTask(`lookup absent, ${label}`, table, absent, false));
  }
  return out;
}

export const lookupGroup: MicroGroup = {
  name: 'lookup',
  title: 'forwarding-table lookup at 10k and 100k /64 routes',
  run: (opts) => runTasks('lookup', tasks(), opts),
};

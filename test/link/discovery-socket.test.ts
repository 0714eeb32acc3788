/**
 * The discovery socket on the host's own network namespace. Nothing here joins a group or sends a
 * beacon on a real interface: every test passes a fake interface source that lists none, or only
 * names that do not exist, so the host's interfaces are never touched. Multicast between nodes is
 * tested in namespaces (discovery-netns.test.ts).
 */
import { createSocket } from 'node:dgram';
import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { HyphaError } from '../../src/errors.js';
import { createDiscovery } from '../../src/link/discovery.js';
import {
  DISCOVERY_GROUP,
  type InterfaceSource,
  openDiscoverySocket,
  scanInterfaces,
  startDiscovery,
} from '../../src/link/discovery-socket.js';

function info(address: string, scopeid: number, internal = false): NetworkInterfaceInfo {
  return {
    address,
    netmask: 'ffff:ffff:ffff:ffff::',
    family: 'IPv6',
    mac: '02:00:00:00:00:01',
    internal,
    cidr: `${address}/64`,
    scopeid,
  };
}

function v4(address: string): NetworkInterfaceInfo {
  return {
    address,
    netmask: '255.255.255.0',
    family: 'IPv4',
    mac: '02:00:00:00:00:01',
    internal: false,
    cidr: null,
  };
}

const UP_MULTICAST = 0x1 | 0x1000;

function fakeSource(
  list: Record<string, NetworkInterfaceInfo[]>,
  flags: Record<string, number | undefined> = {},
): InterfaceSource {
  return { list: () => list, flags: (name) => flags[name] };
}

describe('scanInterfaces', () => {
  const list = {
    lo: [info('::1', 0, true)],
    veth0: [info('fd00:198:18:1::1', 0), info('fe80::1', 7)],
    veth1: [info('fe80::2', 8)],
    novll: [info('fd00:198:18:2::1', 0), v4('198.18.2.1')],
    down: [info('fe80::3', 9)],
    nomc: [info('fe80::4', 10)],
    loopy: [info('fe80::5', 11)],
  };
  const flags = {
    lo: 0x1 | 0x8,
    veth0: UP_MULTICAST,
    veth1: undefined, // unreadable flags: trusted
    down: 0x1000,
    nomc: 0x1,
    loopy: 0x1 | 0x8 | 0x1000,
  };

  it('picks interfaces that are up, not loopback, multicast-capable and have a link-local address', () => {
    expect(scanInterfaces([], fakeSource(list, flags))).toEqual([
      { name: 'veth0', index: 7 },
      { name: 'veth1', index: 8 },
    ]);
  });

  it('restricts to the configured names, and skips those that are not usable (yet)', () => {
    expect(scanInterfaces(['veth1', 'down', 'missing', 'veth1'], fakeSource(list, flags))).toEqual([
      { name: 'veth1', index: 8 },
    ]);
  });

  it('finds nothing on an empty host', () => {
    expect(scanInterfaces([], fakeSource({}))).toEqual([]);
  });
});

describe('openDiscoverySocket (no interfaces)', () => {
  it('binds, joins nothing, sends nothing, and closes', async () => {
    const events: string[] = [];
    const s = await openDiscoverySocket({
      port: 0,
      interfaces: [],
      source: fakeSource({}),
      onEvent: (e) => events.push(e),
    });
    try {
      expect(s.port).toBeGreaterThan(0);
      expect(s.group).toBe(DISCOVERY_GROUP);
      expect(s.interfaces()).toEqual([]);
      expect(s.rescan()).toEqual({ joined: [], left: [] });
      s.sendBeacon(new Uint8Array(49));
      s.sendBeacon(new Uint8Array(49), ['eth0']); // not joined: ignored
      expect(s.counters()['tx.beacon']).toBeUndefined();
      expect(events).toEqual([]);
    } finally {
      await s.close();
    }
    await s.close(); // twice is fine
  });

  it('counts a failing interface scan and keeps going', async () => {
    let calls = 0;
    const s = await openDiscoverySocket({
      port: 0,
      interfaces: [],
      source: {
        list: () => {
          calls++;
          throw Object.assign(new Error('no'), { code: 'EMFILE' });
        },
        flags: () => undefined,
      },
    });
    try {
      expect(calls).toBe(1);
      s.rescan();
      expect(s.counters()['scan.error']).toBe(2);
    } finally {
      await s.close();
    }
  });

  it('counts a failed join (an interface the kernel does not know) and retries at the next scan', async () => {
    // A name no host has: the join fails in the kernel (no such device), nothing is sent.
    const s = await openDiscoverySocket({
      port: 0,
      interfaces: [],
      source: fakeSource({ hyphanosuch0: [info('fe80::1', 99_999)] }, { hyphanosuch0: UP_MULTICAST }),
    });
    try {
      expect(s.interfaces()).toEqual([]);
      s.rescan();
      const failures = Object.entries(s.counters()).filter(([k]) => k.startsWith('join.error.'));
      expect(failures.length).toBe(1);
      expect(failures[0]![1]).toBe(2);
    } finally {
      await s.close();
    }
  });

  it('refuses a port held by another socket with HYPHA_ERR_LINK_BIND naming discovery.port', async () => {
    const other = createSocket({ type: 'udp6', ipv6Only: true });
    await new Promise<void>((r) => other.bind(0, '::', () => r()));
    try {
      const port = other.address().port;
      const err = await openDiscoverySocket({ port, interfaces: [], source: fakeSource({}) }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(HyphaError);
      expect((err as HyphaError).code).toBe('HYPHA_ERR_LINK_BIND');
      expect((err as HyphaError).message).toContain(`UDP port ${port} (discovery) is already in use`);
      expect((err as HyphaError).message).toContain('discovery.port');
    } finally {
      other.close();
    }
  });

  it('startDiscovery runs the state machine on timers and closes cleanly', async () => {
    const discovery = createDiscovery(
      {
        publicKey: new Uint8Array(32).fill(1),
        listenPort: 9651,
        networkTag: new Uint8Array(8),
        random: () => 0.5,
      },
      { intervalMs: 20 },
    );
    const runner = await startDiscovery({
      discovery,
      port: 0,
      interfaces: [],
      source: fakeSource({}),
      onPeer: () => {},
    });
    try {
      const deadline = Date.now() + 2000;
      while ((runner.counters()['discovery.tx.beacon'] ?? 0) < 3 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 10));
      // Beacons fall due on schedule; with no interface joined none is sent.
      expect(runner.counters()['discovery.tx.beacon']).toBeGreaterThanOrEqual(3);
      expect(runner.counters()['tx.beacon']).toBeUndefined();
    } finally {
      await runner.close();
    }
    const after = runner.counters()['discovery.tx.beacon'];
    await new Promise((r) => setTimeout(r, 60));
    expect(runner.counters()['discovery.tx.beacon']).toBe(after);
  });
});

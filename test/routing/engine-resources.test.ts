import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sign } from '../../src/identity/keys.js';
import { updateSignedBytes } from '../../src/wire/babel/signed.js';
import { type Tlv, TlvType, type Update } from '../../src/wire/babel/types.js';
import { Net, subnetPrefix, testIdentity } from './harness.js';

describe('counters', () => {
  it('move with traffic, and a periodic refresh costs no signature checks', () => {
    const net = new Net(3);
    net.connect(0, 1);
    net.connect(1, 2);
    expect(net.driveUntil((n) => n.converged(), 30_000)).toBeDefined();
    const c = net.node(1).engine.counters();
    for (const k of [
      'in.hello',
      'out.hello',
      'in.ihu',
      'out.ihu',
      'in.update',
      'out.update',
      'route.selected',
    ]) {
      expect(c[k], k).toBeGreaterThan(0);
    }
    expect(c['verify.checked']).toBe(2); // one per (originator, seqno) it learned
    net.drive(200_000); // at least two periodic refreshes (60 s ± 25%)
    const d = net.node(1).engine.counters();
    expect(d['update.periodic']).toBeGreaterThanOrEqual(2);
    expect(d['verify.checked']).toBe(2);
    expect(d['refresh.digest.matched']!).toBeGreaterThan(0); // the refresh is a Route Digest
    expect(d.sign).toBe(1); // own update signed once per seqno
    expect(net.converged()).toBe(true); // refreshes keep routes alive past their hold time
  });
});

describe('memory caps', () => {
  it('hold under a flood of bogus originators, neighbours and requests', () => {
    const net = new Net(1, {
      config: {
        maxPrefixes: 20,
        maxSources: 25,
        maxPendingRequests: 5,
        maxNeighbours: 8,
      },
    });
    net.handle(0, { kind: 'neighbourUp', neighbour: 'flood', publicKey: testIdentity(99).publicKey });
    // Validly signed updates from 40 distinct keys (each owns its prefix).
    const tlvs: Tlv[] = [];
    for (let i = 100; i < 140; i++) {
      const id = testIdentity(i);
      const prefix = subnetPrefix(id);
      tlvs.push({
        type: TlvType.Update,
        flags: 0,
        interval: 6000,
        seqno: 1,
        metric: 10,
        prefix,
        originator: id.publicKey,
        signature: sign(id, updateSignedBytes(prefix, 1, id.publicKey)),
      } satisfies Update);
    }
    // And 500 with bad signatures: rejected before they take any memory.
    const victim = testIdentity(100);
    for (let s = 2; s < 502; s++) {
      tlvs.push({
        type: TlvType.Update,
        flags: 0,
        interval: 6000,
        seqno: s,
        metric: 1,
        prefix: subnetPrefix(victim),
        originator: victim.publicKey,
        signature: new Uint8Array(64).fill(s & 0xff),
      } satisfies Update);
    }
    net.inject(0, 'flood', tlvs);
    for (let i = 0; i < 50; i++) {
      const addr = Uint8Array.from([0x04, i, 1, 2, 3, 4, 5, 6, 0, 0, 0, 0, 0, 0, 0, 1]);
      net.handle(0, { kind: 'wantRoute', address: addr });
    }
    for (let i = 0; i < 100; i++) {
      net.handle(0, {
        kind: 'neighbourUp',
        neighbour: `n${i}`,
        publicKey: testIdentity(200 + (i % 3)).publicKey,
      });
    }
    net.drive(1_000);
    const c = { ...net.node(0).engine.counters(), ...net.node(0).engine.gauges!() };
    expect(c['table.prefixes']).toBeLessThanOrEqual(20);
    expect(c['table.sources']).toBeLessThanOrEqual(25);
    expect(c['table.requests']).toBeLessThanOrEqual(5);
    expect(c['table.neighbours']).toBeLessThanOrEqual(8);
    expect(c['reject.table-full']).toBeGreaterThanOrEqual(20 + 92);
    expect(c['reject.bad-signature']).toBe(500);
    expect(c['request.route.dropped']).toBeGreaterThanOrEqual(45);
    expect(net.node(0).engine.routes().length).toBeLessThanOrEqual(20);
  });
});

describe('src/routing is sans-IO', () => {
  it('reads no clock, no Math.random, no timers and imports no node: module', () => {
    const dir = join(import.meta.dirname, '../../src/routing');
    const offenders: string[] = [];
    for (const f of readdirSync(dir)) {
      if (!f.endsWith('.ts')) continue;
      const text = readFileSync(join(dir, f), 'utf8');
      const lines = text.split('\n');
      lines.forEach((line, i) => {
        if (
          /Date\.now|Math\.random|setTimeout|setInterval|setImmediate|performance\.now|from ['"]node:|require\(/.test(
            line,
          )
        ) {
          offenders.push(`${f}:${i + 1}: ${line.trim()}`);
        }
      });
    }
    expect(offenders).toEqual([]);
  });
});

/**
 * One prefix, one source: two keys whose addresses fall in the same /64 (a hash collision someone
 * would have to search for) cannot share or steal a prefix. The first key heard keeps it while it
 * has routes; once they are gone the other key's Update makes a fresh source.
 */
import { describe, expect, it } from 'vitest';
import { sign, verify } from '../../src/identity/keys.js';
import { bytesEqual } from '../../src/routing/_keys.js';
import { createRoutingEngine } from '../../src/routing/engine.js';
import { TlvType, type Update } from '../../src/wire/babel/types.js';
import { addressOf, signedUpdate as signed, subnetPrefix, testIdentity } from './harness.js';

describe('a prefix has one originator', () => {
  it('rejects a second key for a prefix that has routes, and accepts it once they are gone', () => {
    const self = testIdentity(0);
    const a = testIdentity(1);
    const b = testIdentity(2);
    const prefix = subnetPrefix(a);
    const engine = createRoutingEngine({
      publicKey: self.publicKey,
      subnet: subnetPrefix(self),
      sign: (m) => sign(self, m),
      verify,
      // b "collides" with a: its address is a's.
      addressOf: (k) => (bytesEqual(k, b.publicKey) ? a.address : addressOf(k)),
      random: () => 0.5,
    });
    const update = (who: typeof a, seqno: number, metric: number): Update =>
      signed(who, prefix, seqno, metric);
    engine.handle({ kind: 'neighbourUp', neighbour: 'n', publicKey: testIdentity(3).publicKey }, 0);
    engine.handle({ kind: 'packet', neighbour: 'n', tlvs: [update(a, 5, 100)] }, 10);
    const originators = () => engine.routes().map((r) => Buffer.from(r.originator).toString('hex'));
    expect(originators()).toEqual([Buffer.from(a.publicKey).toString('hex')]);

    engine.handle({ kind: 'packet', neighbour: 'n', tlvs: [update(b, 9, 10)] }, 20);
    expect(engine.counters()['reject.origin-conflict']).toBe(1);
    expect(originators()).toEqual([Buffer.from(a.publicKey).toString('hex')]);

    const retraction: Update = {
      type: TlvType.Update,
      flags: 0,
      interval: 6000,
      seqno: 5,
      metric: 0xffff,
      prefix,
    };
    engine.handle({ kind: 'packet', neighbour: 'n', tlvs: [retraction, update(b, 9, 10)] }, 30);
    expect(originators()).toEqual([Buffer.from(b.publicKey).toString('hex')]);
    expect(engine.counters()['reject.origin-conflict']).toBe(1);
  });
});

/**
 * A node that restarts with the same key and fresh state (seqno behind what the network holds):
 * how it learns its old seqno (RFC 8966 §3.5.5 / §3.8), and why nobody else can move it.
 */
import { describe, expect, it } from 'vitest';
import { sign } from '../../src/identity/keys.js';
import { updateSignedBytes } from '../../src/wire/babel/signed.js';
import { type Tlv, TlvType, type Update } from '../../src/wire/babel/types.js';
import { Net, prefixHex, type SimNode, subnetPrefix, testIdentity } from './harness.js';

/** Restarts `node` with the first RNG seed whose start seqno is behind `old` (older mod 2^16). */
function restartBehind(net: Net, node: SimNode, old: number): void {
  for (let seed = 1; ; seed++) {
    node.restart(net.time, seed);
    const d = (node.counter('seqno') - old + 0x10000) % 0x10000;
    if (d >= 0x8000) return;
  }
}

/** True for an Update that carries `node`'s own prefix. */
function isOwnPrefixUpdate(t: Tlv, node: SimNode): boolean {
  return t.type === TlvType.Update && prefixHex(t.prefix) === prefixHex(node.prefix);
}

describe('restart with a seqno behind the network', () => {
  it('a neighbour echoes the newest signed Update it holds and the node jumps past it (no seqno request needed)', () => {
    const net = new Net(3);
    net.connect(0, 1);
    net.connect(1, 2);
    expect(net.driveUntil((n) => n.converged(), 30_000)).toBeDefined();
    const old = net.node(2).counter('seqno');
    net.disconnect(1, 2);
    net.drive(20_000);
    restartBehind(net, net.node(2), old);
    // Seqno requests toward the restarted node are lost: only the echo can tell it its old seqno.
    net.connect(1, 2, 10, (_from, to, tlvs) =>
      to === 2 ? tlvs.filter((t) => t.type !== TlvType.SeqnoRequest) : tlvs,
    );
    const at = net.time;
    const t = net.driveUntil((n) => n.converged(), 10_000);
    expect(t).toBeDefined();
    expect(t! - at).toBeLessThan(200);
    expect(net.node(1).counter('update.echo')).toBeGreaterThanOrEqual(1);
    expect((net.node(2).counter('seqno') - old + 0x10000) % 0x10000).toBeLessThan(0x8000);
    expect(net.node(0).nextHop(net.node(2))).toBe('1');
  });

  it('a seqno request spent during the outage is renewed when the source comes back', () => {
    // Square 0-1-2-3-0; node 2 goes away. Its neighbours' routes via 0 become infeasible, so they
    // ask for a newer seqno; the requests are spent (resent 2, 4, 8 s) long before 2 returns.
    const net = new Net(4);
    net.connect(0, 1);
    net.connect(1, 2);
    net.connect(2, 3);
    net.connect(3, 0);
    expect(net.driveUntil((n) => n.converged(), 30_000)).toBeDefined();
    net.drive(5_000);
    const old = net.node(2).counter('seqno');
    net.disconnect(1, 2);
    net.disconnect(2, 3);
    net.drive(20_000);
    restartBehind(net, net.node(2), old);
    // Echoes toward the restarted node are lost: only a seqno request can tell it.
    const noEcho = (_from: number, to: number, tlvs: readonly Tlv[]) =>
      to === 2 ? tlvs.filter((t) => !isOwnPrefixUpdate(t, net.node(2))) : tlvs;
    net.connect(1, 2, 10, noEcho);
    net.connect(2, 3, 10, noEcho);
    const at = net.time;
    const t = net.driveUntil((n) => n.converged(), 60_000);
    expect(t).toBeDefined();
    expect(t! - at).toBeLessThan(1_000);
    expect(net.node(2).counter('seqno.bump')).toBeGreaterThanOrEqual(1);
    expect(net.checkLoopFree()).toBe(12);
  });

  it('an echo not signed by the node’s own key moves nothing', () => {
    const net = new Net(2);
    net.connect(0, 1);
    expect(net.driveUntil((n) => n.converged(), 30_000)).toBeDefined();
    const victim = net.node(1);
    const seqno = victim.counter('seqno');
    const prefix = subnetPrefix(victim.identity);
    const ahead = (seqno + 500) & 0xffff;
    const evil = testIdentity(7);
    // Node 0 claims node 1's prefix under node 1's key with a newer seqno, but signs with another key.
    const forged: Update = {
      type: TlvType.Update,
      flags: 0,
      interval: 6000,
      seqno: ahead,
      metric: 0,
      prefix,
      originator: victim.identity.publicKey,
      signature: sign(evil, updateSignedBytes(prefix, ahead, victim.identity.publicKey)),
    };
    net.inject(1, '0', [forged]);
    expect(victim.counter('reject.bad-signature')).toBe(1);
    expect(victim.counter('seqno')).toBe(seqno);
    expect(victim.counter('seqno.bump')).toBe(0);
  });
});

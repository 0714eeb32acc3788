import { describe, expect, it } from 'vitest';
import { AE, type Hello, type Ihu, type Tlv, TlvType, type Update } from '../../src/wire/babel/types.js';
import { Net, prefixHex, signedUpdate as signed, subnetPrefix, testIdentity } from './harness.js';

const evil = testIdentity(5);

function helloIhu(seqno: number): Tlv[] {
  const hello: Hello = { type: TlvType.Hello, unicast: true, seqno, interval: 400 };
  const ihu: Ihu = {
    type: TlvType.IHU,
    rxcost: 256,
    interval: 400,
    ae: AE.Wildcard,
    address: new Uint8Array(0),
  };
  return [hello, ihu];
}

function signedUpdate(
  signer: typeof evil,
  prefixOwner: typeof evil,
  seqno: number,
  originator = signer.publicKey,
): Update {
  return signed(signer, subnetPrefix(prefixOwner), seqno, 0, originator);
}

/** Line 0-1-2 with slow links (so a forged metric-0 route via `evil` would win if accepted), plus `evil` as 0's neighbour. */
function setup() {
  const net = new Net(3, { latencyMs: 100 });
  net.connect(0, 1);
  net.connect(1, 2);
  expect(net.driveUntil((n) => n.converged(), 30_000)).toBeDefined();
  net.handle(0, { kind: 'neighbourUp', neighbour: 'evil', publicKey: evil.publicKey });
  let helloSeqno = 1;
  const feedEvil = (tlvs: Tlv[]) => net.inject(0, 'evil', [...helloIhu(helloSeqno++), ...tlvs]);
  feedEvil([]);
  return { net, feedEvil };
}

describe('forged and replayed updates', () => {
  it('are never selected and are counted by reason', () => {
    const { net, feedEvil } = setup();
    const n0 = net.node(0);
    const n2 = net.node(2);
    const seq2 = n2.counter('seqno');
    // Positive control: evil's own prefix, properly signed, is accepted through the evil link.
    feedEvil([signedUpdate(evil, evil, 7)]);
    expect(n0.fib.get(prefixHex(subnetPrefix(evil)))?.neighbour).toBe('evil');

    const p2 = subnetPrefix(n2.identity);
    const badSig: Update = {
      ...signedUpdate(n2.identity, n2.identity, (seq2 + 5) & 0xffff),
      signature: new Uint8Array(64).fill(7),
    };
    const wrongKey = signedUpdate(evil, n2.identity, (seq2 + 5) & 0xffff, n2.identity.publicKey);
    const notOwned = signedUpdate(evil, n2.identity, 1);
    const ownPrefix = signedUpdate(evil, n0.identity, 1);
    const unsigned: Update = {
      type: TlvType.Update,
      flags: 0,
      interval: 6000,
      seqno: 3,
      metric: 0,
      prefix: p2,
    };
    const badPlen: Update = { ...signedUpdate(evil, evil, 8), prefix: { ...subnetPrefix(evil), plen: 48 } };
    const outside: Update = {
      ...signedUpdate(evil, evil, 8),
      prefix: {
        ae: AE.IPv6,
        plen: 64,
        addr: Uint8Array.from([0x20, 1, 0xd, 0xb8, ...new Array(12).fill(0)]),
      },
    };
    feedEvil([badSig, wrongKey, notOwned, ownPrefix, unsigned, badPlen, outside]);
    const c = n0.engine.counters();
    expect(c['reject.bad-signature']).toBe(2);
    expect(c['reject.prefix-not-owned']).toBe(1);
    expect(c['reject.own-prefix']).toBe(1);
    expect(c['reject.no-originator']).toBe(1);
    expect(c['reject.bad-prefix']).toBe(2);
    expect(n0.nextHop(n2)).toBe('1');
    expect(
      n0.engine
        .routes()
        .filter((r) => r.neighbour === 'evil')
        .map((r) => prefixHex(r.prefix)),
    ).toEqual([prefixHex(subnetPrefix(evil))]);
  });

  it('a replayed old update changes nothing, from a new neighbour or the same one', () => {
    const { net, feedEvil } = setup();
    const n0 = net.node(0);
    const n2 = net.node(2);
    const p2 = prefixHex(n2.prefix);
    // Capture a genuine Update for 2's prefix as 1 sent it to 0.
    const old = net
      .node(1)
      .actions.flatMap((a) => (a.kind === 'send' && a.neighbour === '0' ? a.tlvs : []))
      .find(
        (t): t is Update =>
          t.type === TlvType.Update && t.originator !== undefined && prefixHex(t.prefix) === p2,
      )!;
    expect(old).toBeDefined();
    // 2 moves to a newer seqno (a seqno request from 1 asks for it).
    net.inject(2, '1', [
      {
        type: TlvType.SeqnoRequest,
        seqno: (old.seqno + 1) & 0xffff,
        hopCount: 1,
        routerId: n2.identity.publicKey.slice(0, 8),
        prefix: n2.prefix,
        originator: n2.identity.publicKey,
      },
    ]);
    net.drive(2_000);
    expect(n0.fib.get(p2)?.seqno).toBe((old.seqno + 1) & 0xffff);
    // Replayed through evil with metric 0: stored at most as an infeasible route, never selected.
    feedEvil([{ ...old, metric: 0 }]);
    expect(n0.nextHop(n2)).toBe('1');
    const viaEvil = n0.engine.routes().find((r) => r.neighbour === 'evil' && prefixHex(r.prefix) === p2);
    expect(viaEvil?.feasible ?? false).toBe(false);
    expect(viaEvil?.selected ?? false).toBe(false);
    expect(n0.counter('update.infeasible')).toBeGreaterThanOrEqual(1);
    // Replayed as if from 1 (older than what 1 already announced): rejected as stale.
    net.inject(0, '1', [old]);
    expect(n0.counter('reject.stale')).toBe(1);
    expect(n0.fib.get(p2)?.seqno).toBe((old.seqno + 1) & 0xffff);
  });
});

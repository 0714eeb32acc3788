/**
 * A TUN MTU larger than the underlay carries (1420 over a 1500-byte veth: frames of up to 1568
 * bytes): TCP is cut to packets that fit (offload.ts), anything else goes as IP fragments, over
 * both underlay families, instead of being refused (EMSGSIZE) and stalling TCP.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Mesh } from '../support/mesh.js';
import { HOOK_TIMEOUT_MS, meshSupport, skipNote, tcpTransfer, waitRoute } from '../support/scenarios.js';

const TUN_MTU = 1420;
const BYTES = 8 * 1024 * 1024;

describe.skipIf(!meshSupport.ok)(`a TUN MTU above the underlay's${skipNote}`, () => {
  let mesh: Mesh | undefined;
  const m = () => mesh!;

  beforeAll(async () => {
    mesh = await Mesh.create({
      tag: 'mtu',
      hosts: ['a', 'b', 'c'],
      links: [
        ['a', 'b'],
        ['b', 'c'],
      ],
    });
    await mesh.startAll({
      a: { peers: [{ host: 'b', family: 'v4' }], tunMtu: TUN_MTU },
      b: { peers: [], tunMtu: TUN_MTU },
      c: { peers: [{ host: 'b', family: 'v6' }], tunMtu: TUN_MTU },
    });
    await waitRoute(mesh, 'a', 'c');
    await waitRoute(mesh, 'c', 'a');
  }, HOOK_TIMEOUT_MS);
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail' && mesh) process.stderr.write(`${mesh.dump(40)}\n`);
  });
  afterAll(async () => {
    await mesh?.destroy();
  }, 60_000);

  it('carries full-size TCP segments from A to C (IPv4 hop, then IPv6 hop) intact', async () => {
    const r = await tcpTransfer(m(), 'a', 'c', m().node('c').address, BYTES, { timeoutMs: 60_000 });
    expect(r.receivedBytes).toBe(BYTES);
    expect(r.receivedSha256).toBe(r.sentSha256);
    const stats = (await m().api<{ counters: Record<string, number> }>('a', 'stats'))?.counters ?? {};
    expect(stats['udp.tx.error.EMSGSIZE'] ?? 0).toBe(0);
    // TCP was cut to packets the underlay carries whole (no IP fragments for TCP).
    expect(stats['tun.offload.segmented']).toBeGreaterThan(0);
  }, 90_000);
});

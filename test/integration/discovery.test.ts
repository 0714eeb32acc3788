/**
 * LAN discovery through the daemon: A and B share a veth link and have no static peers. Their
 * beacons find each other, the handshake authenticates the advertised keys, and traffic flows.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Mesh } from '../support/mesh.js';
import { HOOK_TIMEOUT_MS, meshSupport, skipNote, waitRoute } from '../support/scenarios.js';

describe.skipIf(!meshSupport.ok)(`LAN discovery in the daemon${skipNote}`, () => {
  let mesh: Mesh | undefined;
  const m = () => mesh!;

  beforeAll(async () => {
    mesh = await Mesh.create({ tag: 'd', hosts: ['a', 'b'], links: [['a', 'b']] });
  }, HOOK_TIMEOUT_MS);
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail' && mesh) process.stderr.write(`${mesh.dump(40)}\n`);
  });
  afterAll(async () => {
    await mesh?.destroy();
  }, 60_000);

  it('two nodes with no peers configured find each other on the link and route', async () => {
    await m().startAll({
      a: { peers: [], discovery: { enabled: true } },
      b: { peers: [], discovery: { enabled: true } },
    });
    await waitRoute(m(), 'a', 'b', { timeoutMs: 30_000 });
    await waitRoute(m(), 'b', 'a', { timeoutMs: 30_000 });
    const up = m().messages('a', 'peer up');
    expect(up.map((j) => j.publicKey)).toContain(m().node('b').publicKey);
    // The endpoint is B's link-local address, scoped to A's side of the link.
    expect(String(up[0]?.endpoint)).toMatch(/^udp:\/\/\[fe80:[0-9a-f:]+%[\w.-]+\]:9651$/);
    await m().waitPing('a', m().node('b').address, { timeoutMs: 10_000 });
  }, 60_000);
});

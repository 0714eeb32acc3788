/**
 * Operating a running node: the CLI (info, peers, routes, stats, peers add/remove) and the
 * Prometheus exporter against real daemons in namespaces A—B, through the admin API on loopback
 * inside A's namespace.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HYPHA_BIN, Mesh } from '../support/mesh.js';
import { HOOK_TIMEOUT_MS, meshSupport, skipNote, waitRoute } from '../support/scenarios.js';

const API = '127.0.0.1:8989';
const METRICS = '127.0.0.1:9090';

describe.skipIf(!meshSupport.ok)(`operating a node: CLI, API and metrics${skipNote}`, () => {
  let mesh: Mesh | undefined;
  const m = () => mesh!;
  const cli = (...args: string[]) => m().execIn('a', process.execPath, [HYPHA_BIN, ...args, '--api', API]);
  const json = async (...args: string[]) => {
    const r = await cli(...args, '--json');
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  };

  beforeAll(async () => {
    mesh = await Mesh.create({ tag: 'o', hosts: ['a', 'b'], links: [['a', 'b']] });
    await m().startAll({ a: { peers: ['b'], apiAddr: API, metricsAddr: METRICS }, b: { peers: [] } });
    await waitRoute(m(), 'a', 'b');
  }, HOOK_TIMEOUT_MS);
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail' && mesh) process.stderr.write(`${mesh.dump(40)}\n`);
  });
  afterAll(async () => {
    await mesh?.destroy();
  }, 60_000);

  it('hypha info names the node the daemon runs as', async () => {
    const info = await json('info');
    expect(info.publicKey).toBe(m().node('a').publicKey);
    expect(info.address).toBe(m().node('a').address);
    const table = await cli('info');
    expect(table.stdout).toContain(m().node('a').address);
  }, 30_000);

  it('hypha peers list and routes selected show B, up, with its route', async () => {
    const { peers } = (await json('peers', 'list')) as { peers: { publicKey?: string; state: string }[] };
    expect(peers.find((p) => p.publicKey === m().node('b').publicKey)?.state).toBe('up');
    const { routes } = (await json('routes', 'selected')) as {
      routes: { prefix: string; nextHop: { publicKey: string } }[];
    };
    const toB = routes.find((r) => r.prefix === m().node('b').subnet);
    expect(toB?.nextHop.publicKey).toBe(m().node('b').publicKey);
  }, 30_000);

  it('hypha stats counts the traffic a ping makes', async () => {
    await m().waitPing('a', m().node('b').address, { timeoutMs: 10_000 });
    const stats = (await json('stats')) as { counters: Record<string, number> };
    expect(stats.counters['dataplane.sent']).toBeGreaterThan(0);
    expect(stats.counters['dataplane.delivered']).toBeGreaterThan(0);
    // The link socket's own counters: what left and arrived, and in how many batches.
    expect(stats.counters['udp.tx.datagrams']).toBeGreaterThan(0);
    expect(stats.counters['udp.rx.datagrams']).toBeGreaterThan(0);
    expect(stats.counters['udp.tx.batches']).toBeGreaterThan(0);
  }, 30_000);

  it('peers add and remove change the peer set, and bad input gets exit code 2 or 1', async () => {
    // B's address on a port nobody listens on: a peer that stays 'connecting', inside the test bed.
    const uri = m().peerUri('a', 'b', 'v4', 9999);
    expect((await cli('peers', 'add', uri)).code).toBe(0);
    const { peers } = (await json('peers', 'list')) as { peers: { endpoint: string }[] };
    expect(peers.map((p) => p.endpoint)).toContain(uri);
    expect((await cli('peers', 'add', uri)).code).toBe(1); // already a peer: 409 from the daemon
    expect((await cli('peers', 'remove', uri)).code).toBe(0);
    expect((await cli('peers', 'remove', uri)).code).toBe(1); // gone: 404
    expect((await cli('peers', 'add', 'not-a-uri')).code).toBe(2);
  }, 30_000);

  it('without a daemon at the address the CLI exits 3 and names the address', async () => {
    const r = await m().execIn('a', process.execPath, [HYPHA_BIN, 'info', '--api', '127.0.0.1:1']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('127.0.0.1:1');
  }, 30_000);

  it('the exporter serves peer, route and counter families in Prometheus text format', async () => {
    const r = await m().execIn('a', process.execPath, [
      '-e',
      `fetch('http://${METRICS}/metrics').then(r => r.text()).then(t => process.stdout.write(t))`,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^hypha_peer_receive_bytes_total\{.*\} \d+/m);
    expect(r.stdout).toMatch(/^hypha_routes\{table="selected"\} 1$/m);
    expect(r.stdout).toMatch(/^hypha_node_uptime_seconds /m);
    expect(r.stdout).toMatch(/^nodejs_eventloop_lag_seconds /m);
  }, 30_000);
});

/**
 * `npm run demo` (as root): three network namespaces A—B—C joined by veth pairs (underlay addresses
 * from 198.18.0.0/15 and fd00:198:18::/48), a hypha node in each with A and C peered only with B,
 * a ping from A to C's overlay address, the routes, and a full teardown (also on Ctrl-C or an error).
 */
import { canRunMesh, Mesh } from '../test/support/mesh.js';
import { currentRoute, waitRoute } from '../test/support/scenarios.js';

const t0 = Date.now();
const say = (line: string) =>
  process.stdout.write(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${line}\n`);

interface RouteView {
  prefix: string;
  nextHop?: { publicKey?: string };
  metric?: number;
}

async function main(): Promise<number> {
  if (process.getuid?.() !== 0) {
    process.stderr.write(
      'npm run demo needs root: it creates network namespaces and TUN devices. Run it as root (sudo npm run demo).\n',
    );
    return 1;
  }
  const can = canRunMesh();
  if (!can.ok) {
    process.stderr.write(`npm run demo: ${can.why}.\n`);
    return 1;
  }

  let mesh: Mesh | undefined;
  let interrupted = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    say(`${sig}: tearing down`);
    void (mesh?.destroy() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    say('building namespaces A—B—C joined by veth pairs');
    mesh = await Mesh.create({
      tag: 'demo',
      hosts: ['a', 'b', 'c'],
      links: [
        ['a', 'b'],
        ['b', 'c'],
      ],
      exclusive: false,
    });
    for (const l of mesh.links)
      say(
        `  link ${l.a.host.toUpperCase()}—${l.b.host.toUpperCase()}: ${l.a.v4} | ${l.a.v6}  <->  ${l.b.v4} | ${l.b.v6}`,
      );
    const names = new Map([...mesh.nodes.values()].map((n) => [n.publicKey, n.name.toUpperCase()]));
    for (const n of mesh.nodes.values())
      say(`  node ${n.name.toUpperCase()}: overlay address ${n.address}  (namespace ${n.ns})`);

    say('starting a hypha node in each namespace (A and C peer only with B)');
    await mesh.startAll({
      a: { peers: [{ host: 'b', family: 'v4' }] },
      b: { peers: [] },
      c: { peers: [{ host: 'b', family: 'v6' }] },
    });
    for (const name of ['a', 'b', 'c']) say(`  ${name.toUpperCase()} running, pid ${mesh.node(name).pid}`);

    say('waiting for A and C to learn routes to each other through B');
    await waitRoute(mesh, 'a', 'c');
    await waitRoute(mesh, 'c', 'a');
    say('  routes are in');

    const c = mesh.node('c');
    say(`ping from A to C's overlay address ${c.address}`);
    await mesh.waitPing('a', c.address, { timeoutMs: 15_000 });
    const ping = await mesh.ping('a', c.address, { count: 4, intervalS: 0.5 });
    process.stdout.write(`${ping.output.trim().replace(/^/gm, '    ')}\n`);
    if (!ping.ok) throw new Error('no reply from C');

    say('selected routes');
    for (const name of ['a', 'b', 'c']) {
      const fromApi = await mesh
        .api<RouteView[] | { routes: RouteView[] }>(name, 'routes/selected')
        .catch(() => undefined);
      const routes = Array.isArray(fromApi) ? fromApi : fromApi?.routes;
      if (routes) {
        for (const r of routes)
          say(
            `  ${name.toUpperCase()}: ${r.prefix.padEnd(26)} via ${names.get(r.nextHop?.publicKey ?? '') ?? r.nextHop?.publicKey?.slice(0, 12) ?? '?'}  metric ${r.metric ?? '?'}  (admin API)`,
          );
        continue;
      }
      for (const other of ['a', 'b', 'c'].filter((o) => o !== name)) {
        const r = currentRoute(mesh, name, other);
        const via = typeof r?.neighbour === 'string' ? (names.get(r.neighbour) ?? r.neighbour) : '?';
        say(
          `  ${name.toUpperCase()}: ${mesh.node(other).subnet.padEnd(26)} (${other.toUpperCase()}) via ${r ? via : 'none'}  metric ${r?.metric ?? '-'}  (daemon log)`,
        );
      }
    }
    return 0;
  } catch (err) {
    if (interrupted) return 130;
    process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    if (mesh && !interrupted) {
      say('tearing down: stopping the nodes, deleting the namespaces');
      await mesh.destroy();
      say('done');
    }
  }
}

process.exitCode = await main();

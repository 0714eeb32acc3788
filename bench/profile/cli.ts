/**
 * hypha under iperf3 load, with an optional CPU profile of every daemon (root):
 *
 *   npx tsx bench/profile/cli.ts [--hops 1|2] [--seconds 10] [--streams 1] [--reverse] [--mtu N] [--prof DIR]
 *
 * Builds A—B (or A—B—C with --hops 2: B relays), runs ping and one iperf3 TCP test from A to the
 * far end's overlay address, prints throughput, RTT and the daemons' CPU seconds per GB, and with
 * --prof writes each daemon's .cpuprofile to DIR and prints a self-time summary per daemon.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { canRunMesh, Mesh, REPO_ROOT } from '../../test/support/mesh.js';
import { waitRoute } from '../../test/support/scenarios.js';
import { formatSummary, parseCpuProfile, summariseProfile } from './cpuprofile.js';
import { processCpuSeconds } from './proc.js';

const { values } = parseArgs({
  options: {
    hops: { type: 'string', default: '1' },
    seconds: { type: 'string', default: '10' },
    streams: { type: 'string', default: '1' },
    reverse: { type: 'boolean', default: false },
    mtu: { type: 'string' },
    prof: { type: 'string' },
    top: { type: 'string', default: '25' },
  },
});
const hops = Number(values.hops);
const seconds = Number(values.seconds);
const streams = Number(values.streams);
if (![1, 2].includes(hops) || !(seconds > 0 && seconds <= 120) || !(streams >= 1 && streams <= 16)) {
  process.stderr.write(
    'usage: bench/profile/cli.ts [--hops 1|2] [--seconds 1..120] [--streams 1..16] [--reverse] [--mtu N] [--prof DIR]\n',
  );
  process.exit(2);
}
const say = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<number> {
  const can = canRunMesh();
  if (!can.ok) {
    say(`bench/profile: ${can.why}`);
    return 1;
  }
  const hosts = hops === 2 ? ['a', 'b', 'c'] : ['a', 'b'];
  const far = hosts.at(-1) as string;
  const profDir = values.prof ? resolve(values.prof) : undefined;
  const nodeArgs = profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [];
  const tunMtu = values.mtu ? Number(values.mtu) : undefined;
  const mesh = await Mesh.create({
    tag: 'prof',
    hosts,
    links:
      hops === 2
        ? [
            ['a', 'b'],
            ['b', 'c'],
          ]
        : [['a', 'b']],
  });
  const stopAll = () => void mesh.destroy().finally(() => process.exit(130));
  process.once('SIGINT', stopAll);
  process.once('SIGTERM', stopAll);
  try {
    const specs: Record<
      string,
      { peers: string[]; nodeArgs: string[]; tunMtu?: number; logLevel: 'warn' | 'info' }
    > = {};
    for (const [i, h] of hosts.entries())
      specs[h] = { peers: i === 0 ? [] : [hosts[i - 1] as string], nodeArgs, tunMtu, logLevel: 'info' };
    await mesh.startAll(specs);
    await waitRoute(mesh, 'a', far);
    const target = mesh.node(far).address;
    await mesh.waitPing('a', target, { timeoutMs: 15_000 });
    const ping = await mesh.ping('a', target, { count: 20, intervalS: 0.05 });
    say(`ping A→${far.toUpperCase()}: min ${ping.rtt?.min ?? '?'} ms, avg ${ping.rtt?.avg ?? '?'} ms`);

    const server = mesh.spawnIn(far, 'iperf3', ['-s', '-1', '-B', target]);
    await new Promise((r) => setTimeout(r, 500));
    const pids = hosts.map((h) => mesh.node(h).pid as number);
    const cpu0 = pids.map(processCpuSeconds);
    const args = ['-c', target, '-t', String(seconds), '-P', String(streams), '--json'];
    if (values.reverse) args.push('-R');
    const r = await mesh.execIn('a', 'iperf3', args, (seconds + 20) * 1000);
    server.kill('SIGKILL');
    const cpu = pids.map((p, i) => processCpuSeconds(p) - (cpu0[i] ?? 0));
    const result = JSON.parse(r.stdout) as {
      end?: { sum_received?: { bytes: number; seconds: number }; sum_sent?: { retransmits?: number } };
      error?: string;
    };
    const recv = result.end?.sum_received;
    if (!recv) throw new Error(`iperf3 failed: ${result.error ?? r.stderr}`);
    const gbps = (recv.bytes * 8) / recv.seconds / 1e9;
    const cpuTotal = cpu.reduce((a, b) => a + b, 0);
    say(
      `iperf3 A${values.reverse ? '←' : '→'}${far.toUpperCase()} ${streams} stream(s) ${seconds} s: ${gbps.toFixed(3)} Gbit/s, ` +
        `retransmits ${result.end?.sum_sent?.retransmits ?? '?'}, daemon CPU ${cpu.map((c, i) => `${hosts[i]} ${c.toFixed(2)} s`).join(', ')}, ` +
        `${(cpuTotal / (recv.bytes / 1e9)).toFixed(1)} CPU-s/GB`,
    );
    for (const h of hosts) {
      const stats = await mesh.api<{ counters: Record<string, number> }>(h, 'stats');
      const losses = Object.entries(stats?.counters ?? {}).filter(
        ([k, v]) => v > 0 && /drop|error|again|truncated|failed/i.test(k),
      );
      const batching = [
        'udp.tx.datagrams',
        'udp.tx.batches',
        'udp.rx.datagrams',
        'udp.rx.batches',
        'udp.rx.gro-trains',
      ]
        .map((k) => `${k} ${stats?.counters[k] ?? 0}`)
        .join(', ');
      say(`${h.toUpperCase()}: ${batching}`);
      const link = await mesh.execIn(h, 'ip', ['-s', '-j', 'link', 'show', 'dev', 'hypha0']);
      const tun = (
        JSON.parse(link.stdout || '[]') as { stats64?: Record<'rx' | 'tx', { dropped: number }> }[]
      )[0];
      say(
        `${h.toUpperCase()} TUN dropped: rx ${tun?.stats64?.rx.dropped ?? '?'}, tx ${tun?.stats64?.tx.dropped ?? '?'}`,
      );
      if (losses.length > 0)
        say(`${h.toUpperCase()} losses: ${losses.map(([k, v]) => `${k} ${v}`).join(', ')}`);
    }
    if (profDir) {
      for (const h of hosts) await mesh.stop(h, { signal: 'SIGTERM' });
      const root = pathToFileURL(`${REPO_ROOT}/`).href;
      const files = readdirSync(profDir)
        .filter((f) => f.endsWith('.cpuprofile'))
        .sort();
      for (const f of files) {
        const p = parseCpuProfile(JSON.parse(readFileSync(join(profDir, f), 'utf8')));
        process.stdout.write(`${formatSummary(f, summariseProfile(p, root, Number(values.top)))}\n`);
      }
    }
    return 0;
  } finally {
    await mesh.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    say(`bench/profile: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);

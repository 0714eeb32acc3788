import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { Scenario } from './args.js';
import { cpuBetween, cpuSecondsPerGb, sampleCpu } from './cpu.js';
import { hasCommand, runCommand } from './exec.js';
import { waitListening } from './impls/support.js';
import type { Implementation, Neighbour, SideContext } from './impls/types.js';
import { IPERF_PORT, runIperf } from './iperf.js';
import { type NamespaceSet, neighboursOf, type Side, type Topology } from './netns.js';
import { ping, waitForPing } from './ping.js';
import type { ProcessRegistry } from './process-registry.js';
import type { Progress } from './progress.js';
import type { HostInfo, RunOptionsRecord, RunRecord, TestName, TestRecord } from './results.js';
import { sleep } from './wait.js';

export interface RunnerEnv {
  readonly registry: ProcessRegistry;
  readonly namespaces: NamespaceSet;
  readonly progress: Progress;
  readonly workdir: string;
  readonly runId: string;
  readonly runTag: string;
  readonly host: HostInfo;
  readonly options: RunOptionsRecord;
  readonly readyTimeoutS: number;
}

const PING_COUNT = 20;
const PING_INTERVAL_S = 0.05;
const SETTLE_MS = 1_000;

/** With --pin: side A on CPU 0, the others on CPU 1 (two one-core hosts; C shares B's core). */
function cpuOf(side: Side, pin: boolean, cores: number): number | undefined {
  if (!pin || cores < 2) return undefined;
  return side === 'A' ? 0 : 1;
}

/**
 * In a pair, B dials A; in the A—B—C chain, A and C dial B. Listening sides start first, because some
 * daemons (yggdrasil) dial once and then back off for a long time.
 */
function dialsTo(topology: Topology, side: Side): boolean {
  return topology.sides.length === 2 ? side === 'B' : side !== 'B';
}

/** Runs one repetition of one scenario: namespaces, daemons, readiness, ping, iperf3, teardown. */
export async function runScenario(
  scenario: Scenario,
  impl: Implementation,
  rep: number,
  env: RunnerEnv,
): Promise<RunRecord> {
  const record: RunRecord = {
    kind: 'run',
    run_id: env.runId,
    impl: scenario.name,
    topology: scenario.topology,
    rep,
    status: 'failed',
    description: impl.description,
    started_at: new Date().toISOString(),
    load_avg_1m: Number(loadavg()[0]?.toFixed(2) ?? 0),
    host: env.host,
    options: env.options,
    tests: [],
  };
  const missing = impl.requiredCommands.filter((c) => !hasCommand(c));
  for (const c of ['iperf3', 'ping', 'ss']) if (!hasCommand(c)) missing.push(c);
  if (missing.length) {
    record.status = 'skipped';
    record.reason = `missing command${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (try --install-deps)`;
    return record;
  }
  if (
    env.options.mtu !== undefined &&
    impl.maxOverlayMtu !== undefined &&
    env.options.mtu > impl.maxOverlayMtu
  )
    record.note = `MTU ${env.options.mtu} + ${impl.name}'s headers exceed the 1500-byte underlay (largest that fits: ${impl.maxOverlayMtu}; hypha cuts TCP to fit and IP fragments the rest)`;
  record.version = await impl.version().catch((e: unknown) => `unknown (${errorText(e)})`);

  const say = (what: string) =>
    env.progress.update(`rep ${rep}/${env.options.reps} · ${scenario.name} · ${what}`);
  const dir = join(env.workdir, `${rep}-${scenario.name}`);
  const sides: Side[] = scenario.topology === 'relay' ? ['A', 'B', 'C'] : ['A', 'B'];
  let topology: Topology | undefined;
  const logs = new Map<string, string>();
  try {
    say('namespaces');
    topology = await env.namespaces.createChain(sides);
    for (const side of sides) mkdirSync(join(dir, side), { recursive: true, mode: 0o700 });
    say('prepare');
    await impl.prepare?.(dir, sides);

    const addresses: Partial<Record<Side, string>> = {};
    const order = [...sides].sort((a, b) => Number(dialsTo(topology!, a)) - Number(dialsTo(topology!, b)));
    for (const side of order) {
      say(`start ${side}`);
      const ctx = sideContext(topology, side, dir, env, impl, logs);
      const started = await withDeathCheck(impl.start(ctx), env.registry, logs);
      addresses[side] = started.address;
    }
    record.addresses = addresses;

    const client = sides[0]!;
    const server = sides[sides.length - 1]!;
    const clientNs = topology.ns[client]!;
    const serverNs = topology.ns[server]!;
    if (impl.ready) {
      say('ready check');
      const started = sides.map((side) => ({ side, ns: topology!.ns[side]!, address: addresses[side]! }));
      await withDeathCheck(impl.ready(started, env.readyTimeoutS * 1000), env.registry, logs);
    }
    say('waiting for pings across the overlay');
    const deathReason = () => deadDaemonReason(env.registry, logs);
    const readyDeadline = env.readyTimeoutS * 1000;
    const readyStart = performance.now();
    for (const [from, to] of [
      [client, server],
      [server, client],
    ] as const) {
      const left = Math.max(1_000, readyDeadline - (performance.now() - readyStart));
      await waitForPing(topology.ns[from]!, addresses[to]!, left, deathReason).catch((e: unknown) => {
        throw new Error(`no ping reply from ${to} (${addresses[to]}) at ${from}: ${errorText(e)}`);
      });
    }
    record.ready_s = round((performance.now() - readyStart) / 1000, 2);
    record.overlay_mtu = await mtuOfAddress(clientNs, addresses[client]!);
    await sleep(SETTLE_MS);

    say(`ping x${PING_COUNT}`);
    const p = await ping(clientNs, addresses[server]!, PING_COUNT, PING_INTERVAL_S);
    record.rtt_min_ms = p.minMs;
    record.rtt_avg_ms = p.avgMs;
    record.rtt_max_ms = p.maxMs;
    record.ping_loss = p.transmitted ? round(1 - p.received / p.transmitted, 3) : undefined;

    env.registry.spawnIn({
      ns: serverNs,
      label: `iperf3-server-${server}`,
      kind: 'helper',
      cmd: 'iperf3',
      args: ['-s', '-p', String(IPERF_PORT)],
      logFile: join(dir, 'iperf3-server.log'),
      cpu: cpuOf(server, env.options.pin, env.host.cores),
    });
    await waitListening(serverNs, IPERF_PORT, 'tcp');

    const plan: { test: TestName; streams: number; reverse: boolean }[] = [
      { test: 'tcp1_fwd', streams: 1, reverse: false },
      { test: 'tcp1_rev', streams: 1, reverse: true },
    ];
    if (env.options.streams > 0)
      plan.push(
        { test: 'tcpN_fwd', streams: env.options.streams, reverse: false },
        { test: 'tcpN_rev', streams: env.options.streams, reverse: true },
      );
    for (const step of plan) {
      say(
        `iperf3 ${step.streams === 1 ? '1 stream' : `${step.streams} streams`} ${step.reverse ? 'rev' : 'fwd'} (${env.options.seconds} s)`,
      );
      const daemons = env.registry.daemonPids();
      const before = sampleCpu(daemons);
      const { outcome, rawJson } = await runIperf({
        clientNs,
        serverAddress: addresses[server]!,
        seconds: env.options.seconds,
        streams: step.streams,
        reverse: step.reverse,
        cpu: cpuOf(client, env.options.pin, env.host.cores),
      });
      const usage = cpuBetween(before, sampleCpu(daemons), env.host.clk_tck);
      writeFileSync(join(dir, `iperf3-${step.test}.json`), rawJson);
      const test: TestRecord = {
        ...step,
        gbps: outcome.bitsPerSecond === undefined ? undefined : round(outcome.bitsPerSecond / 1e9, 4),
        bytes: outcome.bytes,
        seconds: outcome.seconds === undefined ? undefined : round(outcome.seconds, 3),
        retransmits: outcome.retransmits,
        daemon_cpu_s: impl.baseline ? undefined : round(usage.daemonCpuS, 2),
        all_cpu_s: round(usage.machineCpuS, 2),
        wall_s: round(usage.wallS, 2),
        daemon_cores: impl.baseline ? undefined : round(usage.daemonCpuS / usage.wallS, 2),
        all_cores: round(usage.machineCpuS / usage.wallS, 2),
        error: outcome.error,
      };
      record.tests.push(test);
      await sleep(SETTLE_MS);
    }
    fillAggregates(record, impl.baseline === true);
    const dead = deadDaemonReason(env.registry, logs);
    const failedTests = record.tests.filter((t) => t.error || t.gbps === undefined);
    if (dead) {
      record.status = 'partial';
      record.reason = dead;
    } else if (failedTests.length === record.tests.length) {
      record.status = 'failed';
      record.reason = `every iperf3 test failed: ${failedTests[0]?.error ?? '?'}`;
    } else if (failedTests.length) {
      record.status = 'partial';
      record.reason = failedTests.map((t) => `${t.test}: ${t.error ?? 'no result'}`).join('; ');
    } else record.status = 'ok';
  } catch (err) {
    record.status = 'failed';
    record.reason = errorText(err);
  } finally {
    say('teardown');
    await env.registry.killAll();
    await impl.stop?.(dir).catch(() => undefined);
    if (topology) await env.namespaces.delete(topology);
  }
  return record;
}

function sideContext(
  topology: Topology,
  side: Side,
  dir: string,
  env: RunnerEnv,
  impl: Implementation,
  logs: Map<string, string>,
): SideContext {
  const neighbours: Neighbour[] = neighboursOf(topology, side).map(({ own, peer }) => ({
    own,
    peer,
    dial: dialsTo(topology, side),
  }));
  const sideDir = join(dir, side);
  return {
    side,
    ns: topology.ns[side]!,
    dir: sideDir,
    workdir: dir,
    neighbours,
    sides: topology.sides,
    overlayMtu: impl.baseline ? undefined : env.options.mtu,
    runTag: env.runTag,
    spawnDaemon(label, cmd, args) {
      const logFile = join(sideDir, `${label}.log`);
      logs.set(label, logFile);
      return env.registry.spawnIn({
        ns: topology.ns[side]!,
        label,
        kind: 'daemon',
        cmd,
        args,
        logFile,
        cpu: cpuOf(side, env.options.pin, env.host.cores),
      });
    },
  };
}

/** "hypha-A (pid 12, exit code 1) exited: <last log line>" for the daemons that died, or undefined. */
function deadDaemonReason(registry: ProcessRegistry, logs: Map<string, string>): string | undefined {
  const dead = registry.deadDaemons();
  if (!dead.length) return undefined;
  return dead
    .map((d) => {
      const label = d.split(' ')[0] ?? '';
      const file = logs.get(label);
      const last = file ? lastLogLine(file) : '';
      return `${d} exited${last ? `: ${last}` : ''}`;
    })
    .join('; ');
}

function lastLogLine(file: string): string {
  try {
    const lines = readFileSync(file, 'utf8').trim().split('\n').filter(Boolean);
    return (lines[lines.length - 1] ?? '').slice(0, 200);
  } catch {
    return '';
  }
}

/** If a daemon dies while start() waits for it, fail with that instead of a timeout. */
async function withDeathCheck<T>(
  work: Promise<T>,
  registry: ProcessRegistry,
  logs: Map<string, string>,
): Promise<T> {
  try {
    return await work;
  } catch (err) {
    const dead = deadDaemonReason(registry, logs);
    throw new Error(dead ? `${errorText(err)}; ${dead}` : errorText(err));
  }
}

function fillAggregates(record: RunRecord, baseline: boolean): void {
  const byName = (n: TestName) => record.tests.find((t) => t.test === n);
  record.tcp1_fwd_gbps = byName('tcp1_fwd')?.gbps;
  record.tcp1_rev_gbps = byName('tcp1_rev')?.gbps;
  record.tcpN_fwd_gbps = byName('tcpN_fwd')?.gbps;
  record.tcpN_rev_gbps = byName('tcpN_rev')?.gbps;
  const single = [byName('tcp1_fwd'), byName('tcp1_rev')].filter(
    (t): t is TestRecord => t !== undefined && t.bytes !== undefined && t.bytes > 0,
  );
  const bytes = single.reduce((a, t) => a + (t.bytes ?? 0), 0);
  const allCpu = single.reduce((a, t) => a + (t.all_cpu_s ?? 0), 0);
  record.all_cpu_s_per_gb = roundOpt(cpuSecondsPerGb(allCpu, bytes), 3);
  record.retransmits_1stream = single.reduce((a, t) => a + (t.retransmits ?? 0), 0);
  if (!baseline) {
    const daemonCpu = single.reduce((a, t) => a + (t.daemon_cpu_s ?? 0), 0);
    record.daemon_cpu_s_per_gb = roundOpt(cpuSecondsPerGb(daemonCpu, bytes), 3);
    record.gbit_per_daemon_cpu_s = daemonCpu > 0 ? round((bytes * 8) / 1e9 / daemonCpu, 3) : undefined;
  }
}

async function mtuOfAddress(ns: string, address: string): Promise<number | undefined> {
  const r = await runCommand('ip', ['-n', ns, '-j', 'addr', 'show'], { timeoutMs: 5_000 });
  if (r.code !== 0) return undefined;
  try {
    const links = JSON.parse(r.stdout) as { mtu?: number; addr_info?: { local?: string }[] }[];
    return links.find((l) => l.addr_info?.some((a) => a.local === address))?.mtu;
  } catch {
    return undefined;
  }
}

export function errorText(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').trim().slice(0, 400);
}

const round = (v: number, digits: number) => Number(v.toFixed(digits));
const roundOpt = (v: number | undefined, digits: number) => (v === undefined ? undefined : round(v, digits));

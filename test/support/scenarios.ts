/**
 * Building blocks the integration tests and the demo share: the line A—B—C, route waits, TCP
 * transfers and captures inside namespaces. Everything is bounded in time.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { canRunMesh, type Family, Mesh, type MeshOptions, type NodeOptions, REPO_ROOT } from './mesh.js';

export const meshSupport = canRunMesh();
/** Appended to a describe() title: says why it is skipped. */
export const skipNote = meshSupport.ok ? '' : ` (skipped: ${meshSupport.why})`;
if (!meshSupport.ok && process.env.VITEST)
  process.stderr.write(`integration tests skipped: ${meshSupport.why}\n`);

/** Hooks get this long: building a mesh may wait for another test file's mesh (the lock). */
export const HOOK_TIMEOUT_MS = 10 * 60_000;

/** True for a 'route selected' log entry for `target`'s /64. */
export function routeSelected(json: Record<string, unknown>, targetSubnet: string): boolean {
  return json.msg === 'route selected' && json.prefix === targetSubnet;
}

/** Waits for `at` to select a route to `to`'s subnet (from its log); returns the log entry. */
export async function waitRoute(
  mesh: Mesh,
  at: string,
  to: string,
  opts: { timeoutMs?: number; since?: number } = {},
): Promise<Record<string, unknown>> {
  const subnet = mesh.node(to).subnet;
  return mesh.waitLog(at, (j) => routeSelected(j, subnet), {
    since: opts.since,
    timeoutMs: opts.timeoutMs ?? 30_000,
    what: `node ${at} to select a route to ${to} (${subnet})`,
    failOnExit: true,
  });
}

/** The route `at` uses for `to` now, from its log (the latest selected/retracted entry). */
export function currentRoute(mesh: Mesh, at: string, to: string): Record<string, unknown> | undefined {
  const subnet = mesh.node(to).subnet;
  const last = mesh
    .entries(at)
    .filter((j) => (j.msg === 'route selected' || j.msg === 'route retracted') && j.prefix === subnet)
    .at(-1);
  return last?.msg === 'route selected' ? last : undefined;
}

/**
 * Builds A—B—C (links a-b, b-c), starts a node in each with A and C peered only with B (A over IPv4,
 * C over IPv6, B with no static peers), and waits until A and C have routes to each other.
 */
export async function startLine(
  options: Partial<MeshOptions> & { node?: NodeOptions; familyA?: Family; familyC?: Family } = {},
): Promise<Mesh> {
  const mesh = await Mesh.create({
    hosts: ['a', 'b', 'c'],
    links: [
      ['a', 'b'],
      ['b', 'c'],
    ],
    ...options,
  });
  try {
    const base = options.node ?? {};
    await mesh.startAll({
      a: { ...base, peers: [{ host: 'b', family: options.familyA ?? 'v4' }] },
      b: { ...base, peers: [] },
      c: { ...base, peers: [{ host: 'b', family: options.familyC ?? 'v6' }] },
    });
    await waitRoute(mesh, 'a', 'c');
    await waitRoute(mesh, 'c', 'a');
    return mesh;
  } catch (err) {
    await mesh.destroy();
    throw err;
  }
}

/** Collects a child's stdout/stderr as text. */
export function collect(child: ChildProcess): { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  return { out: () => out, err: () => err };
}

export interface TransferResult {
  readonly bytes: number;
  readonly sentSha256: string;
  readonly receivedBytes: number;
  readonly receivedSha256: string;
  /** Sender's time from connect to close, ms. */
  readonly ms: number;
  readonly mbitPerS: number;
}

/**
 * Sends `bytes` over TCP from host `from` to `address`:port (a listener in host `to`), with
 * test/support/tcp-tool.ts on both sides, and returns both sides' byte counts and SHA-256.
 */
export async function tcpTransfer(
  mesh: Mesh,
  from: string,
  to: string,
  address: string,
  bytes: number,
  opts: { port?: number; marker?: string; timeoutMs?: number } = {},
): Promise<TransferResult> {
  const port = opts.port ?? 5001;
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const tool = join(REPO_ROOT, 'test', 'support', 'tcp-tool.ts');
  const server = mesh.spawnTool(to, 'tcp-tool.ts', [
    'serve',
    '--port',
    String(port),
    '--timeout-ms',
    String(timeoutMs),
  ]);
  const serverExit = once(server, 'exit');
  const s = collect(server);
  try {
    await mesh.waitFor(() => s.out().includes('"listening"') || server.exitCode !== null, {
      timeoutMs: 20_000,
      what: `the TCP sink in ${to} to listen`,
    });
    const args = ['--import', 'tsx', tool, 'send', '--host', address, '--port', String(port)];
    args.push('--bytes', String(bytes), '--timeout-ms', String(timeoutMs));
    if (opts.marker) args.push('--marker', opts.marker);
    const sent = await mesh.execIn(from, process.execPath, args, timeoutMs + 10_000);
    if (sent.code !== 0)
      throw new Error(`TCP sender in ${from} failed (${sent.code}): ${sent.stderr}\n${mesh.dump()}`);
    await Promise.race([serverExit, new Promise((r) => setTimeout(r, 20_000))]);
    const snd = JSON.parse(sent.stdout.trim().split('\n').at(-1)!) as {
      bytes: number;
      sha256: string;
      ms: number;
    };
    const line = s
      .out()
      .split('\n')
      .find((l) => l.includes('"role":"serve"'));
    if (!line) throw new Error(`TCP sink in ${to} reported nothing: ${s.err()}\n${mesh.dump()}`);
    const rcv = JSON.parse(line) as { bytes: number; sha256: string };
    return {
      bytes: snd.bytes,
      sentSha256: snd.sha256,
      receivedBytes: rcv.bytes,
      receivedSha256: rcv.sha256,
      ms: snd.ms,
      mbitPerS: (snd.bytes * 8) / (snd.ms * 1000),
    };
  } finally {
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
  }
}

/**
 * A packet capture with tshark (dumpcap) inside a host, to a pcap file. `start` resolves once
 * tshark says it is capturing; `stop` ends it and resolves when the file is complete.
 */
export class Capture {
  private readonly child: ChildProcess;
  private readonly exit: Promise<unknown>;
  private readonly io: { out: () => string; err: () => string };

  constructor(
    private readonly mesh: Mesh,
    readonly host: string,
    readonly interfaces: readonly string[],
    readonly file: string,
    filter?: string,
    maxSeconds = 120,
  ) {
    const args = ['-q', ...interfaces.flatMap((i) => ['-i', i]), '-w', file, '-a', `duration:${maxSeconds}`];
    if (filter) args.push('-f', filter);
    this.child = mesh.spawnIn(host, 'tshark', args);
    this.exit = once(this.child, 'exit');
    this.io = collect(this.child);
  }

  async started(): Promise<void> {
    // dumpcap prints one "Capturing on" line for all interfaces, after they are all open.
    await this.mesh.waitFor(
      () => {
        if (this.child.exitCode !== null) throw new Error(`tshark in ${this.host} exited: ${this.io.err()}`);
        return this.io.err().includes('Capturing on');
      },
      { timeoutMs: 20_000, what: `tshark in ${this.host} to start capturing` },
    );
    // Give dumpcap a moment past its banner before traffic that must be captured starts.
    await new Promise((r) => setTimeout(r, 500));
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGINT');
    await Promise.race([this.exit, new Promise((r) => setTimeout(r, 10_000))]);
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

/** UDP payloads (hex, one per line) of a pcap file, read with tshark inside a host. */
export async function udpPayloads(mesh: Mesh, host: string, file: string, filter = 'udp'): Promise<string[]> {
  const r = await mesh.execIn(
    host,
    'tshark',
    ['-r', file, '-Y', filter, '-T', 'fields', '-e', 'udp.payload'],
    60_000,
  );
  if (r.code !== 0) throw new Error(`tshark -r ${file}: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .map((l) => l.trim().replace(/:/g, ''))
    .filter((l) => /^[0-9a-f]+$/i.test(l));
}

/** Replies in `ping -D` output: receive time (ms since the epoch), RTT and sequence number. */
export function pingReplies(output: string): { atMs: number; rttMs: number; seq: number }[] {
  const out: { atMs: number; rttMs: number; seq: number }[] = [];
  for (const m of output.matchAll(/^\[(\d+\.\d+)\] \d+ bytes from .*icmp_seq=(\d+).*time=([\d.]+) ms/gm))
    out.push({ atMs: Number(m[1]) * 1000, seq: Number(m[2]), rttMs: Number(m[3]) });
  return out;
}

/**
 * Loss and the longest silence in a `ping -D -i interval` run: requests are numbered from 1, so the
 * sequence numbers without a reply are the losses; `longestGapMs` is the longest run of lost
 * requests times the interval.
 */
export function pingLoss(
  output: string,
  intervalS: number,
): { sent: number; replied: number; longestGapMs: number } {
  const seqs = new Set(pingReplies(output).map((r) => r.seq));
  // The summary ping prints when it ends (also on SIGINT), else the highest sequence number seen
  // (run ping with -O so unanswered requests are printed too).
  const summary = /(\d+) packets transmitted/.exec(output);
  const sent = summary
    ? Number(summary[1])
    : Math.max(0, ...[...output.matchAll(/icmp_seq=(\d+)/g)].map((m) => Number(m[1])));
  let run = 0;
  let longest = 0;
  for (let s = 1; s <= sent; s++) {
    run = seqs.has(s) ? 0 : run + 1;
    longest = Math.max(longest, run);
  }
  return { sent, replied: seqs.size, longestGapMs: Math.round(longest * intervalS * 1000) };
}

/**
 * A traceroute over the overlay with `ping -t N` (traceroute is not installed): for N = 1, 2, …, the
 * address that answered, from a Time Exceeded or from the echo reply, until the destination
 * replies or `maxHops`. An entry is undefined when nothing answered for that N.
 */
export async function overlayTrace(
  mesh: Mesh,
  from: string,
  address: string,
  maxHops = 6,
): Promise<(string | undefined)[]> {
  const hops: (string | undefined)[] = [];
  for (let t = 1; t <= maxHops; t++) {
    const r = await mesh.execIn(
      from,
      'ping',
      ['-6', '-n', '-c', '1', '-W', '2', '-t', String(t), address],
      10_000,
    );
    const out = r.stdout + r.stderr;
    const exceeded = /^From (\S+) icmp_seq=\d+ Time exceeded/m.exec(out);
    const reply = /^\d+ bytes from (\S+?):? icmp_seq=/m.exec(out);
    hops.push(exceeded?.[1] ?? reply?.[1]);
    if (reply) break;
  }
  return hops;
}

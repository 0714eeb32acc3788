/**
 * A mesh of hypha daemons in network namespaces, for the integration tests and `npm run demo`.
 *
 * Built on src/testbed/netns.ts: every host is a namespace, every link a veth pair with underlay
 * addresses from 198.18.0.0/15 and fd00:198:18::/48 (the Testbed assigns them). Each node gets a
 * key file and a config file in a per-run temp dir; its daemon is started with
 * `node bin/hypha.js run --config FILE` inside its namespace, tracked by PID, and its JSON log
 * lines are kept (bounded) for assertions and for the failure dump.
 *
 * Cleanup: `destroy()` kills every daemon and helper by PID, deletes the namespaces and removes the
 * temp dir; call it in afterAll / finally. A process 'exit' handler does the same synchronously if
 * the runner dies first (the Testbed has its own for namespaces and children).
 *
 * Network rules: nothing here sends to anything but loopback and addresses inside the namespaces it
 * created; the underlay ranges are the Testbed's.
 */
import { type ChildProcess, execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { canBuildTestbed, type LinkAddresses, Testbed } from '../../src/testbed/netns.js';

const run = promisify(execFile);

/** The repository root (this file is test/support/mesh.ts). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The `hypha` command as shipped. */
export const HYPHA_BIN = join(REPO_ROOT, 'bin', 'hypha.js');
/** The compiled daemon: its absence means `hypha run` has not landed (or `npm run build` was not run). */
export const DAEMON_DIST = join(REPO_ROOT, 'dist', 'src', 'daemon');

export const DEFAULT_LISTEN_PORT = 9651;
export const DEFAULT_API_ADDR = '127.0.0.1:8989';
export const DEFAULT_TUN_NAME = 'hypha0';

/**
 * Whether the integration tests can run here: root, Linux, /dev/net/tun, and a compiled daemon
 * (dist/src/daemon). The reason is meant for a skip message.
 */
export function canRunMesh(): { ok: true } | { ok: false; why: string } {
  const bed = canBuildTestbed();
  if (!bed.ok) return bed;
  try {
    statSync('/dev/net/tun');
  } catch {
    return { ok: false, why: '/dev/net/tun is missing (load the tun module)' };
  }
  try {
    statSync(DAEMON_DIST);
  } catch {
    return { ok: false, why: `the daemon is not built (${DAEMON_DIST} missing; run npm run build)` };
  }
  return { ok: true };
}

export type Family = 'v4' | 'v6';

/** A static peer of a node: another host of the mesh, reached over the link between them. */
export type PeerSpec = string | { readonly host: string; readonly family?: Family; readonly port?: number };

export interface NodeOptions {
  /** Static peers, by host name (the URI uses the peer's address on the link joining them). */
  readonly peers?: readonly PeerSpec[];
  /** Family of the peer URIs when a PeerSpec does not say (default 'v6'). */
  readonly family?: Family;
  readonly listenPort?: number;
  readonly discovery?: {
    readonly enabled: boolean;
    readonly interfaces?: readonly string[];
    readonly port?: number;
  };
  /** A private network: the same name and PSK on every member. */
  readonly network?: { readonly name: string; readonly psk: Uint8Array };
  readonly logLevel?: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  readonly tunMtu?: number;
  /** Admin API address inside the namespace (loopback). */
  readonly apiAddr?: string;
  /** Prometheus exporter address inside the namespace (default: off). */
  readonly metricsAddr?: string;
  /** Extra TOML appended at the top level (before any table). */
  readonly extraToml?: string;
  /** Extra Node.js flags for the daemon's process (e.g. '--cpu-prof'). */
  readonly nodeArgs?: readonly string[];
}

export interface LogLine {
  /** Position in the node's log since the mesh was built (survives restarts and trimming). */
  readonly seq: number;
  /** Local time the line was read, ms. */
  readonly at: number;
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
  /** The parsed pino object, when the line is JSON. */
  readonly json?: Record<string, unknown>;
  /** Which start of the daemon printed it (1 for the first). */
  readonly run: number;
}

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** ms from the signal (or from start, if it exited on its own) to the exit. */
  readonly ms: number;
}

export interface MeshNode {
  readonly name: string;
  readonly ns: string;
  readonly dir: string;
  readonly keyFile: string;
  readonly configFile: string;
  /** From `hypha inspect --json`. */
  readonly publicKey: string;
  readonly address: string;
  readonly subnet: string;
  options: NodeOptions;
  child?: ChildProcess;
  pid?: number;
  /** Number of times the daemon was started. */
  runs: number;
  readonly log: LogLine[];
  nextSeq: number;
  lastExit?: ExitInfo;
}

export interface WaitOptions {
  readonly timeoutMs: number;
  /** What is awaited, for the error message. */
  readonly what: string;
  readonly intervalMs?: number;
}

export interface PingResult {
  readonly ok: boolean;
  readonly transmitted: number;
  readonly received: number;
  readonly rtt?: { readonly min: number; readonly avg: number; readonly max: number; readonly mdev: number };
  /** Hop limits of the replies (the `ttl=` field). */
  readonly hopLimits: readonly number[];
  readonly output: string;
}

export interface IfaceStats {
  readonly rxPackets: number;
  readonly txPackets: number;
  readonly rxBytes: number;
  readonly txBytes: number;
}

export interface MeshOptions {
  /** Host names (1-8 lowercase letters/digits). */
  readonly hosts: readonly string[];
  /** Links as pairs of host names; link i gets 198.18.i.0/24 and fd00:198:18:i::/64. */
  readonly links: readonly (readonly [string, string])[];
  /** Short tag in the namespace names. */
  readonly tag?: string;
  /** Progress lines (commands run, daemons started). */
  readonly log?: (line: string) => void;
  /** Take the cross-process mesh lock so meshes of parallel test files do not share the 2 CPUs (default true). */
  readonly exclusive?: boolean;
  /** Longest wait for the lock (default 15 min). */
  readonly lockTimeoutMs?: number;
  /** Log lines kept per node (default 20 000). */
  readonly maxLogLines?: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class Mesh {
  readonly bed: Testbed;
  /** Per-run temp dir holding each node's key, config and PSK. */
  readonly dir: string;
  readonly nodes = new Map<string, MeshNode>();
  readonly links: LinkAddresses[] = [];
  private readonly progress: (line: string) => void;
  private readonly maxLogLines: number;
  private destroyed = false;
  private lock?: MeshLock;
  private readonly onExit = () => this.destroySync();

  private constructor(options: MeshOptions) {
    this.bed = new Testbed({ tag: options.tag, log: options.log });
    this.progress = options.log ?? (() => {});
    this.maxLogLines = options.maxLogLines ?? 20_000;
    this.dir = mkdtempSync(join(tmpdir(), `hypha-mesh-${this.bed.id}-`));
    process.once('exit', this.onExit);
  }

  /** Builds the namespaces and links and creates a key per host. Cleans up itself if that fails. */
  static async create(options: MeshOptions): Promise<Mesh> {
    const lock = options.exclusive === false ? undefined : await MeshLock.acquire(options.lockTimeoutMs);
    let mesh: Mesh | undefined;
    try {
      mesh = new Mesh(options);
      mesh.lock = lock;
      for (const host of options.hosts) await mesh.bed.addHost(host);
      for (const [a, b] of options.links) mesh.links.push(await mesh.bed.link(a, b));
      for (const host of options.hosts) await mesh.createNode(host);
      return mesh;
    } catch (err) {
      if (mesh) await mesh.destroy();
      else lock?.release();
      throw err;
    }
  }

  private async createNode(name: string): Promise<void> {
    const dir = join(this.dir, name);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const keyFile = join(dir, 'key.bin');
    await run(process.execPath, [HYPHA_BIN, 'generate-keys', '--key-file', keyFile, '--force'], {
      cwd: REPO_ROOT,
      timeout: 20_000,
    });
    const { stdout } = await run(process.execPath, [HYPHA_BIN, 'inspect', '--key-file', keyFile, '--json'], {
      cwd: REPO_ROOT,
      timeout: 20_000,
    });
    const info = JSON.parse(stdout) as { publicKey: string; address: string; subnet: string };
    this.nodes.set(name, {
      name,
      ns: this.bed.ns(name),
      dir,
      keyFile,
      configFile: join(dir, 'hypha.toml'),
      publicKey: info.publicKey,
      address: info.address,
      subnet: info.subnet,
      options: {},
      runs: 0,
      log: [],
      nextSeq: 0,
    });
  }

  node(name: string): MeshNode {
    const n = this.nodes.get(name);
    if (!n) throw new RangeError(`no node '${name}' in this mesh`);
    return n;
  }

  /** The link joining hosts a and b (in either order). */
  link(a: string, b: string): LinkAddresses {
    const l = this.links.find(
      (x) => (x.a.host === a && x.b.host === b) || (x.a.host === b && x.b.host === a),
    );
    if (!l) throw new RangeError(`no link between '${a}' and '${b}'`);
    return l;
  }

  /** Host `host`'s end of the link to `other`: its device name and underlay addresses. */
  end(host: string, other: string): LinkAddresses['a'] {
    const l = this.link(host, other);
    return l.a.host === host ? l.a : l.b;
  }

  /** The peer URI by which `from` reaches `to` over the link joining them. */
  peerUri(from: string, to: string, family: Family = 'v6', port = DEFAULT_LISTEN_PORT): string {
    const far = this.end(to, from);
    return family === 'v4' ? `udp://${far.v4}:${port}` : `udp://[${far.v6}]:${port}`;
  }

  /** Writes the node's config file (call before start; call again + hup() to change peers). */
  configure(name: string, options: NodeOptions = {}): string {
    const n = this.node(name);
    n.options = options;
    const peers = (options.peers ?? []).map((p) => {
      const spec = typeof p === 'string' ? { host: p } : p;
      return this.peerUri(name, spec.host, spec.family ?? options.family ?? 'v6', spec.port);
    });
    const lines = [
      '# written by test/support/mesh.ts',
      `key_file = ${toml(n.keyFile)}`,
      `listen_port = ${options.listenPort ?? DEFAULT_LISTEN_PORT}`,
      `peers = [${peers.map(toml).join(', ')}]`,
      `tun_name = ${toml(DEFAULT_TUN_NAME)}`,
    ];
    if (options.tunMtu !== undefined) lines.push(`tun_mtu = ${options.tunMtu}`);
    lines.push(
      `api_addr = ${toml(options.apiAddr ?? DEFAULT_API_ADDR)}`,
      `metrics_addr = ${toml(options.metricsAddr ?? '')}`,
    );
    if (options.extraToml) lines.push(options.extraToml);
    const d = options.discovery ?? { enabled: false };
    lines.push(
      '',
      '[discovery]',
      `enabled = ${d.enabled}`,
      `interfaces = [${(d.interfaces ?? []).map(toml).join(', ')}]`,
      `port = ${d.port ?? 9650}`,
    );
    if (options.network) {
      const pskFile = join(n.dir, 'network.key');
      writeFileSync(pskFile, options.network.psk, { mode: 0o600 });
      lines.push('', '[network]', `name = ${toml(options.network.name)}`, `psk_file = ${toml(pskFile)}`);
    }
    lines.push('', '[log]', `level = ${toml(options.logLevel ?? 'info')}`, 'format = "json"', '');
    writeFileSync(n.configFile, lines.join('\n'), { mode: 0o600 });
    return n.configFile;
  }

  isRunning(name: string): boolean {
    const c = this.node(name).child;
    return c !== undefined && c.exitCode === null && c.signalCode === null;
  }

  /**
   * Starts the node's daemon (configure() first, or it gets a config without peers) and, unless
   * `wait` is false, waits for its "node running" line. Rejects if it exits first.
   */
  async start(name: string, opts: { wait?: boolean; timeoutMs?: number } = {}): Promise<MeshNode> {
    const n = this.node(name);
    if (this.isRunning(name)) throw new Error(`node ${name} is already running (pid ${n.pid})`);
    try {
      statSync(n.configFile);
    } catch {
      this.configure(name, n.options);
    }
    n.runs += 1;
    const runNo = n.runs;
    const since = n.nextSeq;
    this.progress(`starting node ${name} (${n.address}) in ${n.ns}`);
    const child = this.bed.spawn(
      name,
      process.execPath,
      [...(n.options.nodeArgs ?? []), HYPHA_BIN, 'run', '--config', n.configFile],
      {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    n.child = child;
    n.pid = child.pid;
    n.lastExit = undefined;
    const startedAt = Date.now();
    for (const [stream, src] of [
      ['stdout', child.stdout],
      ['stderr', child.stderr],
    ] as const) {
      if (!src) continue;
      createInterface({ input: src, crlfDelay: Infinity }).on('line', (text) =>
        this.addLine(n, stream, text, runNo),
      );
    }
    child.once('exit', (code, signal) => {
      if (n.child === child && !n.lastExit) n.lastExit = { code, signal, ms: Date.now() - startedAt };
    });
    if (opts.wait === false) return n;
    await this.waitLog(name, (j) => j.msg === 'node running', {
      since,
      timeoutMs: opts.timeoutMs ?? 20_000,
      what: `node ${name} to log "node running"`,
      failOnExit: true,
    });
    return n;
  }

  /** Configures and starts several nodes, then waits for all of them to run. */
  async startAll(specs: Record<string, NodeOptions>): Promise<void> {
    for (const [name, o] of Object.entries(specs)) this.configure(name, o);
    for (const name of Object.keys(specs)) await this.start(name, { wait: false });
    for (const name of Object.keys(specs)) {
      await this.waitLog(name, (j) => j.msg === 'node running', {
        since: this.firstSeqOfRun(name),
        timeoutMs: 20_000,
        what: `node ${name} to log "node running"`,
        failOnExit: true,
      });
    }
  }

  /** Sends `signal` to the daemon and waits for it to exit; SIGKILLs it after timeoutMs and throws. */
  async stop(name: string, opts: { signal?: NodeJS.Signals; timeoutMs?: number } = {}): Promise<ExitInfo> {
    const n = this.node(name);
    const child = n.child;
    if (!child || !this.isRunning(name)) {
      if (n.lastExit) return n.lastExit;
      throw new Error(`node ${name} is not running`);
    }
    const signal = opts.signal ?? 'SIGTERM';
    const timeoutMs = opts.timeoutMs ?? 5_000;
    const sent = Date.now();
    const exited = new Promise<ExitInfo>((res) =>
      child.once('exit', (code, sig) => res({ code, signal: sig, ms: Date.now() - sent })),
    );
    this.progress(`${signal} to node ${name} (pid ${child.pid})`);
    process.kill(child.pid!, signal);
    const r = await Promise.race([exited, sleep(timeoutMs).then(() => undefined)]);
    if (!r) {
      process.kill(child.pid!, 'SIGKILL');
      await exited;
      throw new Error(`node ${name} did not exit within ${timeoutMs} ms of ${signal}\n${this.dump()}`);
    }
    n.lastExit = r;
    return r;
  }

  /** kill -9 the daemon and wait for it to be gone. */
  async kill(name: string): Promise<ExitInfo> {
    return this.stop(name, { signal: 'SIGKILL', timeoutMs: 5_000 });
  }

  /** Stops (SIGTERM) and starts again with the same key and config. */
  async restart(name: string): Promise<MeshNode> {
    if (this.isRunning(name)) await this.stop(name);
    return this.start(name);
  }

  /** Sends SIGHUP (the daemon re-reads the config's peers). */
  hup(name: string): void {
    const n = this.node(name);
    if (!n.pid || !this.isRunning(name)) throw new Error(`node ${name} is not running`);
    process.kill(n.pid, 'SIGHUP');
  }

  // -----------------------------------------------------------------------------------------
  // Logs
  // -----------------------------------------------------------------------------------------

  private addLine(n: MeshNode, stream: 'stdout' | 'stderr', text: string, runNo: number): void {
    let json: Record<string, unknown> | undefined;
    if (text.startsWith('{')) {
      try {
        const v: unknown = JSON.parse(text);
        if (v && typeof v === 'object' && !Array.isArray(v)) json = v as Record<string, unknown>;
      } catch {
        // not JSON: kept as text
      }
    }
    n.log.push({ seq: n.nextSeq++, at: Date.now(), stream, text, json, run: runNo });
    if (n.log.length > this.maxLogLines) n.log.splice(0, n.log.length - this.maxLogLines);
  }

  /** The sequence number the next log line of `name` will get: pass it as `since` to see only newer lines. */
  cursor(name: string): number {
    return this.node(name).nextSeq;
  }

  private firstSeqOfRun(name: string): number {
    const n = this.node(name);
    const first = n.log.find((l) => l.run === n.runs);
    return first ? first.seq : n.nextSeq;
  }

  /** The node's JSON log entries (optionally only those from `since` on). */
  entries(name: string, since = 0): Record<string, unknown>[] {
    return this.node(name)
      .log.filter((l) => l.seq >= since && l.json)
      .map((l) => l.json!);
  }

  /** Log entries of `name` with this `msg`. */
  messages(name: string, msg: string, since = 0): Record<string, unknown>[] {
    return this.entries(name, since).filter((j) => j.msg === msg);
  }

  /**
   * Waits until a JSON log line of `name` (from `since` on) satisfies `match`, and returns it.
   * With failOnExit, rejects as soon as the daemon exits.
   */
  async waitLog(
    name: string,
    match: (json: Record<string, unknown>) => boolean,
    opts: WaitOptions & { since?: number; failOnExit?: boolean },
  ): Promise<Record<string, unknown>> {
    const n = this.node(name);
    const since = opts.since ?? 0;
    return this.waitFor(
      () => {
        for (const l of n.log) if (l.seq >= since && l.json && match(l.json)) return l.json;
        if (opts.failOnExit && n.lastExit)
          throw new Error(
            `node ${name} exited (code ${n.lastExit.code}, signal ${n.lastExit.signal}) while waiting for ${opts.what}\n${this.dump()}`,
          );
        return undefined;
      },
      { ...opts, intervalMs: opts.intervalMs ?? 50 },
    );
  }

  /**
   * Polls `check` every intervalMs (default 200) until it returns something other than
   * undefined/false, at most timeoutMs; then throws with `what` and every node's last log lines.
   * An exception from `check` ends the wait at once.
   */
  async waitFor<T>(
    check: () => T | undefined | false | Promise<T | undefined | false>,
    opts: WaitOptions,
  ): Promise<T> {
    const interval = opts.intervalMs ?? 200;
    const deadline = Date.now() + opts.timeoutMs;
    const maxPolls = Math.ceil(opts.timeoutMs / interval) + 1;
    for (let i = 0; i < maxPolls; i++) {
      const v = await check();
      if (v !== undefined && v !== false) return v;
      if (Date.now() >= deadline) break;
      await sleep(Math.min(interval, Math.max(0, deadline - Date.now())));
    }
    throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${opts.what}\n${this.dump()}`);
  }

  /** Every node's state and last `lines` log lines, for failure messages. */
  dump(lines = 25): string {
    const out: string[] = [`--- mesh ${this.bed.id} (dir ${this.dir}) ---`];
    for (const n of this.nodes.values()) {
      const state = this.isRunning(n.name)
        ? `running pid ${n.pid}`
        : n.lastExit
          ? `exited code ${n.lastExit.code} signal ${n.lastExit.signal}`
          : 'not started';
      out.push(`[${n.name}] ${n.address} ${state}, ${n.runs} start(s), ${n.log.length} log lines kept`);
      for (const l of n.log.slice(-lines))
        out.push(`  ${n.name}${l.stream === 'stderr' ? '!' : ' '} ${compact(l)}`);
    }
    return out.join('\n');
  }

  // -----------------------------------------------------------------------------------------
  // Probes
  // -----------------------------------------------------------------------------------------

  /** Runs a command in a host's namespace; never rejects on a non-zero exit (returns the code). */
  async execIn(
    host: string,
    cmd: string,
    args: readonly string[],
    timeoutMs = 30_000,
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const r = await this.bed.exec(host, cmd, args, timeoutMs);
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (err) {
      const e = err as { code?: unknown; stdout?: string; stderr?: string; message?: string };
      return {
        code: typeof e.code === 'number' ? e.code : -1,
        stdout: e.stdout ?? '',
        stderr: e.stderr ?? e.message ?? String(err),
      };
    }
  }

  /**
   * `ping -6` from a host: `count` requests `intervalS` apart, then up to `waitS` for the last reply
   * (no -w: with a deadline, iputils keeps sending until `count` replies arrive). The command is
   * also killed after count × interval + waitS + 5 s.
   */
  async ping(
    from: string,
    address: string,
    opts: { count?: number; intervalS?: number; waitS?: number; size?: number } = {},
  ): Promise<PingResult> {
    const count = opts.count ?? 3;
    const interval = opts.intervalS ?? 0.2;
    const wait = opts.waitS ?? 2;
    const deadline = Math.ceil(count * interval + wait);
    const args = ['-6', '-n', '-c', String(count), '-i', String(interval), '-W', String(wait)];
    if (opts.size !== undefined) args.push('-s', String(opts.size));
    const r = await this.execIn(from, 'ping', [...args, address], (deadline + 5) * 1000);
    return parsePing(r.stdout + r.stderr);
  }

  /** Retries a short ping until one reply comes back; returns how long that took (ms). */
  async waitPing(from: string, address: string, opts: { timeoutMs: number; what?: string }): Promise<number> {
    const t0 = Date.now();
    await this.waitFor(async () => (await this.ping(from, address, { count: 1, waitS: 1 })).ok, {
      timeoutMs: opts.timeoutMs,
      intervalMs: 100,
      what: opts.what ?? `a ping reply from ${address} at ${from}`,
    });
    return Date.now() - t0;
  }

  /** Packet and byte counters of an interface inside a host. */
  async ifaceStats(host: string, dev: string): Promise<IfaceStats> {
    const { stdout } = await run('ip', ['-n', this.bed.ns(host), '-j', '-s', 'link', 'show', 'dev', dev], {
      timeout: 10_000,
    });
    const [info] = JSON.parse(stdout) as {
      stats64: { rx: Record<string, number>; tx: Record<string, number> };
    }[];
    if (!info) throw new Error(`no interface ${dev} in ${host}`);
    return {
      rxPackets: info.stats64.rx.packets ?? 0,
      txPackets: info.stats64.tx.packets ?? 0,
      rxBytes: info.stats64.rx.bytes ?? 0,
      txBytes: info.stats64.tx.bytes ?? 0,
    };
  }

  /** Whether a network interface exists in the host's namespace. */
  async hasInterface(host: string, dev: string): Promise<boolean> {
    const r = await run('ip', ['-n', this.bed.ns(host), 'link', 'show', 'dev', dev], {
      timeout: 10_000,
    }).then(
      () => true,
      () => false,
    );
    return r;
  }

  /** Resident memory of the node's daemon in KiB (VmRSS), or undefined if it is not running. */
  rssKiB(name: string): number | undefined {
    const pid = this.node(name).pid;
    if (!pid || !this.isRunning(name)) return undefined;
    try {
      const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return m ? Number(m[1]) : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * GET http://<api_addr>/api/v1/<path> inside the node's namespace (curl). Returns undefined when
   * nothing answers there (the admin API has not landed, or is off); throws on an HTTP error.
   */
  async api<T = unknown>(name: string, path: string): Promise<T | undefined> {
    const addr = this.node(name).options.apiAddr ?? DEFAULT_API_ADDR;
    const url = `http://${addr}/api/v1/${path.replace(/^\/+/, '')}`;
    const r = await this.execIn(
      name,
      'curl',
      ['-sS', '--max-time', '3', '-w', '\n%{http_code}', url],
      10_000,
    );
    if (r.code === 7 || r.code === 28 || r.code === 52 || r.code === 56) return undefined; // refused, timeout, empty
    if (r.code !== 0) throw new Error(`curl ${url} in ${name}: exit ${r.code}: ${r.stderr.trim()}`);
    const nl = r.stdout.lastIndexOf('\n');
    const status = Number(r.stdout.slice(nl + 1));
    const body = r.stdout.slice(0, nl);
    if (status === 404 && !body.trim().startsWith('{')) return undefined;
    if (status < 200 || status >= 300)
      throw new Error(`GET ${url} in ${name}: HTTP ${status}: ${body.slice(0, 300)}`);
    return JSON.parse(body) as T;
  }

  /** Starts a helper process (tsx script, capture, …) inside a host; destroy() kills it. */
  spawnIn(host: string, cmd: string, args: readonly string[]): ChildProcess {
    return this.bed.spawn(host, cmd, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** Runs one of the TypeScript helpers in test/support/ (via tsx) inside a host. */
  spawnTool(host: string, script: string, args: readonly string[]): ChildProcess {
    return this.spawnIn(host, process.execPath, [
      '--import',
      'tsx',
      join(REPO_ROOT, 'test', 'support', script),
      ...args,
    ]);
  }

  // -----------------------------------------------------------------------------------------
  // Cleanup
  // -----------------------------------------------------------------------------------------

  /** Kills every daemon and helper by PID, deletes the namespaces, removes the temp dir. Idempotent. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    process.removeListener('exit', this.onExit);
    try {
      // Daemons first with SIGTERM so they can take their TUNs down; the Testbed then SIGKILLs stragglers.
      const alive = [...this.nodes.keys()].filter((n) => this.isRunning(n));
      await Promise.all(alive.map((n) => this.stop(n, { timeoutMs: 3_000 }).catch(() => undefined)));
      await this.bed.destroy();
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
      this.lock?.release();
    }
  }

  private destroySync(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const n of this.nodes.values()) {
      if (n.pid && this.isRunning(n.name)) {
        try {
          process.kill(n.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    // The Testbed's own exit handler deletes the namespaces.
    try {
      rmSync(this.dir, { recursive: true, force: true });
    } catch {
      // best effort
    }
    this.lock?.release();
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

function toml(s: string): string {
  return JSON.stringify(s);
}

function compact(l: LogLine): string {
  if (!l.json) return l.text.slice(0, 300);
  const { level, time, pid, hostname, msg, ...rest } = l.json;
  void pid;
  void hostname;
  const t = typeof time === 'number' ? new Date(time).toISOString().slice(11, 23) : '';
  const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest).slice(0, 240)}` : '';
  return `${t} ${level ?? ''} ${String(msg ?? '')}${extra}`;
}

/** Parses iputils ping output. */
export function parsePing(output: string): PingResult {
  const stats = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(output);
  const rtt = /= ([\d.]+)\/([\d.]+)\/([\d.]+)\/([\d.]+) ms/.exec(output);
  const hopLimits = [...output.matchAll(/ttl=(\d+)/g)].map((m) => Number(m[1]));
  const transmitted = stats ? Number(stats[1]) : 0;
  const received = stats ? Number(stats[2]) : 0;
  return {
    ok: received > 0,
    transmitted,
    received,
    rtt: rtt
      ? { min: Number(rtt[1]), avg: Number(rtt[2]), max: Number(rtt[3]), mdev: Number(rtt[4]) }
      : undefined,
    hopLimits,
    output,
  };
}

/**
 * A lock shared by every process on the machine (a directory created atomically, holding the owner's
 * PID), so that integration test files that vitest runs in parallel build their meshes one at a time.
 * A lock whose owner is dead is taken over.
 */
export class MeshLock {
  static readonly PATH = join(tmpdir(), 'hypha-mesh.lock');
  private released = false;
  private constructor(private readonly path: string) {}

  static async acquire(timeoutMs = 15 * 60_000, path = MeshLock.PATH): Promise<MeshLock> {
    const deadline = Date.now() + timeoutMs;
    for (let i = 0; i < Math.ceil(timeoutMs / 250) + 1; i++) {
      try {
        mkdirSync(path);
        writeFileSync(join(path, 'pid'), String(process.pid));
        return new MeshLock(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      let owner = Number.NaN;
      try {
        owner = Number(readFileSync(join(path, 'pid'), 'utf8'));
      } catch {
        // being written (or removed) right now
      }
      if (Number.isInteger(owner) && owner > 0 && !pidAlive(owner)) {
        rmSync(path, { recursive: true, force: true });
        continue;
      }
      if (Date.now() >= deadline) break;
      await sleep(250);
    }
    throw new Error(`could not take ${path} within ${timeoutMs} ms (another mesh test is running)`);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    try {
      if (Number(readFileSync(join(this.path, 'pid'), 'utf8')) === process.pid)
        rmSync(this.path, { recursive: true, force: true });
    } catch {
      // already gone
    }
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** `ip netns list` as an array of names (for the leak check at the end of a test file). */
export function listNamespaces(): string[] {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter(Boolean);
}

/**
 * Test beds of network namespaces joined by veth pairs, for the demo, integration tests and
 * bench/compare. Every name carries a per-run id, every spawned process is tracked by PID, and
 * `destroy()` kills them and deletes the namespaces even after a failure (call it in finally /
 * afterAll). Underlay addresses come only from 198.18.0.0/15 and fd00:198:18::/48.
 */
import { type ChildProcess, execFile, execFileSync, type SpawnOptions, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** True when this process can build test beds (root, ip available). */
export function canBuildTestbed(): { ok: true } | { ok: false; why: string } {
  if (process.platform !== 'linux') return { ok: false, why: 'network namespaces need Linux' };
  if (process.getuid?.() !== 0)
    return { ok: false, why: 'building network namespaces needs root (run the tests as root)' };
  return { ok: true };
}

export interface LinkAddresses {
  /** Link number; the link's subnets are 198.18.<n>.0/24 and fd00:198:18:<n>::/64. */
  readonly index: number;
  readonly a: { readonly host: string; readonly dev: string; readonly v4: string; readonly v6: string };
  readonly b: { readonly host: string; readonly dev: string; readonly v4: string; readonly v6: string };
}

export interface TestbedOptions {
  /** Short tag in every name, for people reading `ip netns list`. */
  readonly tag?: string;
  /** Print each command (for the demo). */
  readonly log?: (line: string) => void;
}

export class Testbed {
  /** Unique per run: namespaces are `<id>-<host>`. */
  readonly id: string;
  private readonly hosts = new Set<string>();
  private readonly links: LinkAddresses[] = [];
  private readonly children = new Set<ChildProcess>();
  private readonly log: (line: string) => void;
  private destroyed = false;
  private readonly onExit = () => this.destroySync();

  constructor(options: TestbedOptions = {}) {
    this.id = `hy${options.tag ?? ''}${process.pid.toString(36)}${randomBytes(2).toString('hex')}`;
    this.log = options.log ?? (() => {});
    process.once('exit', this.onExit);
  }

  /** The namespace name of `host`. */
  ns(host: string): string {
    return `${this.id}-${host}`;
  }

  /** Creates a namespace for `host` with loopback up. */
  async addHost(host: string): Promise<string> {
    if (!/^[a-z0-9]{1,8}$/.test(host))
      throw new RangeError(`host name must be 1-8 lowercase letters/digits, got '${host}'`);
    const ns = this.ns(host);
    await this.ip('netns', 'add', ns);
    this.hosts.add(host);
    await this.ip('-n', ns, 'link', 'set', 'lo', 'up');
    return ns;
  }

  /** Joins two hosts with a veth pair and gives each end an IPv4 and an IPv6 underlay address. */
  async link(a: string, b: string): Promise<LinkAddresses> {
    const index = this.links.length + 1;
    if (index > 250) throw new RangeError('a test bed has at most 250 links');
    // Interface names must fit IFNAMSIZ (15): keep them short and unique within each namespace.
    const devA = `v${index}${b}`.slice(0, 15);
    const devB = `v${index}${a}`.slice(0, 15);
    const tmpA = `h${this.id.slice(-6)}${index}a`;
    const tmpB = `h${this.id.slice(-6)}${index}b`;
    await this.ip('link', 'add', tmpA, 'type', 'veth', 'peer', 'name', tmpB);
    await this.ip('link', 'set', tmpA, 'netns', this.ns(a), 'name', devA);
    await this.ip('link', 'set', tmpB, 'netns', this.ns(b), 'name', devB);
    const addrs: LinkAddresses = {
      index,
      a: { host: a, dev: devA, v4: `198.18.${index}.1`, v6: `fd00:198:18:${index.toString(16)}::1` },
      b: { host: b, dev: devB, v4: `198.18.${index}.2`, v6: `fd00:198:18:${index.toString(16)}::2` },
    };
    for (const end of [addrs.a, addrs.b]) {
      const ns = this.ns(end.host);
      await this.ip('-n', ns, 'addr', 'add', `${end.v4}/24`, 'dev', end.dev);
      await this.ip('-n', ns, '-6', 'addr', 'add', `${end.v6}/64`, 'dev', end.dev, 'nodad');
      // The link-local address skips duplicate address detection too: while it was tentative
      // (~1 s after the link came up) the kernel sent from the underlay address instead, and a
      // daemon started at once could be discovered at that address rather than the link-local one.
      await this.exec(end.host, 'sh', ['-c', `echo 0 > /proc/sys/net/ipv6/conf/${end.dev}/accept_dad`]);
      await this.ip('-n', ns, 'link', 'set', end.dev, 'up');
    }
    this.links.push(addrs);
    return addrs;
  }

  /** Takes a link's two ends down (or up again), to cut a path. */
  async setLink(link: LinkAddresses, up: boolean): Promise<void> {
    for (const end of [link.a, link.b])
      await this.ip('-n', this.ns(end.host), 'link', 'set', end.dev, up ? 'up' : 'down');
  }

  /** Runs a command inside `host` and returns its output; rejects with stderr on failure. */
  async exec(
    host: string,
    cmd: string,
    args: readonly string[],
    timeoutMs = 30_000,
  ): Promise<{ stdout: string; stderr: string }> {
    this.log(`[${host}] ${cmd} ${args.join(' ')}`);
    return run('ip', ['netns', 'exec', this.ns(host), cmd, ...args], {
      timeout: timeoutMs,
      maxBuffer: 16 << 20,
    });
  }

  /** Starts a long-running process inside `host`; it is killed by destroy(). */
  spawn(host: string, cmd: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
    this.log(`[${host}] ${cmd} ${args.join(' ')} &`);
    const child = spawn('ip', ['netns', 'exec', this.ns(host), cmd, ...args], { stdio: 'pipe', ...options });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  /** Kills spawned processes (TERM, then KILL after `graceMs`) and deletes every namespace. */
  async destroy(graceMs = 2000): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    process.removeListener('exit', this.onExit);
    const alive = [...this.children].filter((c) => c.exitCode === null && c.signalCode === null);
    for (const c of alive) c.kill('SIGTERM');
    const deadline = Date.now() + graceMs;
    while (alive.some((c) => c.exitCode === null && c.signalCode === null) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const c of alive) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const host of this.hosts) {
      await killNamespacePids(this.ns(host));
      await run('ip', ['netns', 'del', this.ns(host)]).catch(() => undefined);
    }
    this.hosts.clear();
  }

  /** Last-resort cleanup when the process exits without destroy(). */
  private destroySync(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const c of this.children) c.kill('SIGKILL');
    for (const host of this.hosts) {
      try {
        const pids = execFileSync('ip', ['netns', 'pids', this.ns(host)], { encoding: 'utf8' })
          .split(/\s+/)
          .filter(Boolean);
        for (const pid of pids) process.kill(Number(pid), 'SIGKILL');
      } catch {
        // namespace already gone
      }
      try {
        execFileSync('ip', ['netns', 'del', this.ns(host)]);
      } catch {
        // already deleted
      }
    }
  }

  private async ip(...args: string[]): Promise<void> {
    this.log(`ip ${args.join(' ')}`);
    await run('ip', args, { timeout: 10_000 });
  }
}

/** Kills every process still inside a namespace (by PID), e.g. a daemon the test lost track of. */
async function killNamespacePids(ns: string): Promise<void> {
  const out = await run('ip', ['netns', 'pids', ns]).catch(() => ({ stdout: '' }));
  for (const pid of out.stdout.split(/\s+/).filter(Boolean)) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

// The real TUN, created inside a fresh network namespace by a child process (netns-child.ts):
// checks from outside with `ip -n NS` that address, /7 route, MTU and UP state are in place, then
// drives ICMPv6 echo and UDP through it. Never touches the host namespace's interfaces.

import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TUN_TX_QUEUE_LENGTH } from '../../src/tun/configure.js';

const ADDON = fileURLToPath(new URL('../../native/build/Release/hypha_tun.node', import.meta.url));
const CHILD = fileURLToPath(new URL('./fixtures/netns-child.ts', import.meta.url));
const OPEN_CHILD = fileURLToPath(new URL('./fixtures/open-child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** uid and gid of `nobody`. */
const NOBODY = '65534';
const NS = `hypha-tun-${process.pid}-${randomBytes(3).toString('hex')}`;
const IFNAME = 'hytun0';
const MTU = 1420;
const OWN = '442:1:2:3::1';
const PEER = '442:1:2:3::2';
/** Upper bound on any single wait for the child. */
const EVENT_TIMEOUT_MS = 15_000;

function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

const skipReason =
  process.platform !== 'linux'
    ? 'not Linux'
    : process.getuid?.() !== 0
      ? 'not root: creating a network namespace and a TUN needs root'
      : !existsSync('/dev/net/tun')
        ? '/dev/net/tun is missing: load the tun module (modprobe tun)'
        : !existsSync(ADDON)
          ? 'the TUN addon is not built: npm run build:native'
          : !has('ip')
            ? 'iproute2 (ip) is not installed'
            : undefined;
if (skipReason) console.warn(`test/tun/netns-tun.test.ts skipped: ${skipReason}`);

/** A JSON-lines conversation with the child: send a command, wait (bounded) for its event. */
class Child {
  readonly proc: ChildProcessWithoutNullStreams;
  readonly events: Record<string, unknown>[] = [];
  stderr = '';
  #buf = '';
  #waiters: (() => void)[] = [];

  constructor(proc: ChildProcessWithoutNullStreams) {
    this.proc = proc;
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (d: string) => {
      this.#buf += d;
      let nl = this.#buf.indexOf('\n');
      while (nl >= 0) {
        const line = this.#buf.slice(0, nl);
        this.#buf = this.#buf.slice(nl + 1);
        try {
          this.events.push(JSON.parse(line));
        } catch {
          this.stderr += `[stdout] ${line}\n`;
        }
        nl = this.#buf.indexOf('\n');
      }
      this.#wake();
    });
    proc.stderr.on('data', (d) => {
      this.stderr += d;
    });
    proc.on('exit', () => this.#wake());
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  /** Resolves with the first unconsumed event named `name`; rejects on exit or after the timeout. */
  async next(name: string): Promise<Record<string, unknown>> {
    const deadline = Date.now() + EVENT_TIMEOUT_MS;
    for (;;) {
      const i = this.events.findIndex((e) => e.event === name || e.event === 'error');
      if (i >= 0) {
        const [e] = this.events.splice(i, 1);
        if (e!.event === 'error') throw new Error(`child error: ${String(e!.message)}\n${this.stderr}`);
        return e!;
      }
      if (this.proc.exitCode !== null || this.proc.signalCode !== null)
        throw new Error(
          `child exited (${this.proc.exitCode ?? this.proc.signalCode}) before '${name}':\n${this.stderr}`,
        );
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no '${name}' from the child within ${EVENT_TIMEOUT_MS} ms:\n${this.stderr}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async command(cmd: string, event: string): Promise<Record<string, unknown>> {
    this.proc.stdin.write(`${cmd}\n`);
    return this.next(event);
  }
}

function ipIn(...args: string[]): string {
  const r = spawnSync('ip', ['-n', NS, ...args], { encoding: 'utf8', timeout: 5000 });
  if (r.status !== 0) throw new Error(`ip -n ${NS} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

describe.skipIf(skipReason !== undefined)(
  `real TUN in a network namespace${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    let child: Child | undefined;
    let nsCreated = false;

    beforeAll(async () => {
      const add = spawnSync('ip', ['netns', 'add', NS], { encoding: 'utf8', timeout: 5000 });
      if (add.status !== 0) throw new Error(`ip netns add ${NS} failed: ${add.stderr}`);
      nsCreated = true;
      ipIn('link', 'set', 'lo', 'up');
      const proc = spawn(
        'ip',
        ['netns', 'exec', NS, process.execPath, '--import', 'tsx', CHILD, IFNAME, String(MTU), OWN, PEER],
        { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] },
      );
      child = new Child(proc);
      await child.next('ready');
    });

    afterAll(() => {
      // `ip netns exec` execs node in place, so this PID is the child itself; it kills its own ping.
      const pid = child?.proc.pid;
      if (pid !== undefined && child!.proc.exitCode === null && child!.proc.signalCode === null) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      if (nsCreated) spawnSync('ip', ['netns', 'del', NS], { timeout: 5000 });
    });

    it('has the address with /7, the 400::/7 route, the MTU and the UP flag', () => {
      const addr = ipIn('-6', 'addr', 'show', 'dev', IFNAME);
      expect(addr).toMatch(new RegExp(`inet6 ${OWN}/7 `));
      const routes = ipIn('-6', 'route', 'show', 'dev', IFNAME);
      expect(routes).toMatch(/^400::\/7 /m);
      const link = ipIn('link', 'show', 'dev', IFNAME);
      expect(link).toMatch(new RegExp(`mtu ${MTU} `));
      expect(link).toMatch(/<[^>]*\bUP\b[^>]*>/);
      expect(link).toMatch(/link\/none/);
      expect(link).toMatch(new RegExp(`qlen ${TUN_TX_QUEUE_LENGTH}\\b`));
    });

    it.skipIf(!has('ping'))(
      'delivers the echo request in a batch and the written reply completes ping',
      async () => {
        const r = await child!.command('ping', 'ping');
        expect(r.requests, String(r.output)).toBeGreaterThanOrEqual(3);
        expect(r.srcOk).toBe(true);
        expect(r.viaWrite).toBe(1);
        expect(r.viaBatch).toBeGreaterThanOrEqual(2);
        expect(r.exitCode, String(r.output)).toBe(0);
        expect(String(r.output)).toMatch(/3 received/);
      },
    );

    it('reads UDP datagrams routed into 400::/7 and writeBatch delivers packets to a local socket', async () => {
      const r = await child!.command('udp', 'udp');
      expect(r.seen).toEqual(['one', 'two', 'three']);
      expect(r.outboundBatches as number).toBeGreaterThanOrEqual(1);
      expect(r.written).toBe(3);
      expect((r.received as string[]).sort()).toEqual(['one', 'three', 'two']);
    });

    it('delivers packets that queued while the event loop was blocked in one batch', async () => {
      const r = await child!.command('burst', 'burst');
      // All five datagrams were queued before the reader woke, so one call carried them all.
      expect(r.perBatch).toEqual([5]);
    });

    it('reports deletion of the interface as a HYPHA_ERR_TUN_IO read error', async () => {
      await child!.command('open-second', 'second-open');
      ipIn('link', 'del', 'hytun1');
      const r = await child!.next('second-read-error');
      expect(r).toMatchObject({ isTunError: true, code: 'HYPHA_ERR_TUN_IO', errno: 77 }); // EBADFD
    });

    it('counts packets the kernel refuses instead of throwing', async () => {
      const r = await child!.command('bad-write', 'bad-write');
      expect(r.ok).toBe(false);
      expect(r.batchWritten).toBe(1);
      expect(r.failed).toBe(2);
      expect(r.lastTxErrno).toBe(22); // EINVAL: not an IPv4 or IPv6 packet
    });

    it('refuses a second open of the same interface with a TunError that says why', async () => {
      const r = await child!.command('busy', 'busy');
      expect(r.opened).toBe(false);
      expect(r.isTunError).toBe(true);
      expect(r.code).toBe('HYPHA_ERR_TUN_OPEN');
      expect(r.errno).toBe(16); // EBUSY
      expect(String(r.message)).toMatch(/already attached to another process/);
    });

    it.skipIf(!has('setpriv'))('tells an unprivileged user that CAP_NET_ADMIN is needed', () => {
      const r = spawnSync(
        'ip',
        [
          'netns',
          'exec',
          NS,
          'setpriv',
          `--reuid=${NOBODY}`,
          `--regid=${NOBODY}`,
          '--clear-groups',
          '--inh-caps=-all',
          process.execPath,
          '--import',
          'tsx',
          OPEN_CHILD,
          'hyperm0',
        ],
        {
          cwd: ROOT,
          encoding: 'utf8',
          timeout: EVENT_TIMEOUT_MS,
          env: { ...process.env, TSX_DISABLE_CACHE: '1' },
        },
      );
      const line = r.stdout.trim().split('\n').pop() ?? '';
      expect(line, r.stderr).not.toBe('');
      const out = JSON.parse(line);
      expect(out.opened).toBe(false);
      expect(out.isTunError).toBe(true);
      expect(out.code).toBe('HYPHA_ERR_TUN_OPEN');
      expect([1, 13]).toContain(out.errno); // EPERM from TUNSETIFF or EACCES from open
      expect(out.message).toMatch(
        /permission denied.*CAP_NET_ADMIN \(run as root or give the service that capability\)/,
      );
    });

    it('removes the interface on close', async () => {
      await child!.command('close', 'closed');
      expect(ipIn('link', 'show')).not.toMatch(new RegExp(`\\b${IFNAME}\\b`));
    });
  },
);

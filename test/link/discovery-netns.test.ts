/**
 * LAN discovery between network namespaces: each host runs discovery-netns-child.ts (the real
 * socket, the real state machine) and must learn the other's key and scoped link-local endpoint.
 * The veth pairs are created after the children start, so the interface rescan is what finds them.
 *
 * Test-bed rules: namespaces carry a per-run id (Testbed), underlay addresses come from
 * 198.18.0.0/15 and fd00:198:18::/48 only, nothing runs in or sends on the host's namespace, every
 * wait is bounded, and the namespaces and children (by PID) are removed in afterAll even on failure.
 */
import { type ChildProcess, execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canBuildTestbed, type LinkAddresses, Testbed } from '../../src/testbed/netns.js';

const run = promisify(execFile);
const HERE = dirname(fileURLToPath(import.meta.url));
const CHILD = join(HERE, 'discovery-netns-child.ts');
const TSX = pathToFileURL(resolve(HERE, '..', '..', 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

const DISCOVERY_PORT = 9650;
const WAIT_MS = 25_000;

interface Line {
  readonly event: string;
  readonly [k: string]: unknown;
}

/** A child and every JSON line it printed (bounded). */
class Child {
  readonly lines: Line[] = [];
  stderr = '';
  constructor(
    readonly host: string,
    readonly key: string,
    readonly listenPort: number,
    readonly proc: ChildProcess,
  ) {
    createInterface({ input: proc.stdout! }).on('line', (text) => {
      try {
        if (this.lines.length < 20_000) this.lines.push(JSON.parse(text) as Line);
      } catch {
        // not ours
      }
    });
    proc.stderr!.on('data', (d: Buffer) => {
      if (this.stderr.length < 20_000) this.stderr += d.toString();
    });
  }
  peers(): Line[] {
    return this.lines.filter((l) => l.event === 'peer');
  }
  counters(): Record<string, number> {
    const last = this.lines.findLast((l) => l.event === 'counters');
    return (last?.counters as Record<string, number> | undefined) ?? {};
  }
}

/** Polls `check` every 100 ms until it is true or `ms` passed; returns the last result. */
async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (let i = 0; i < 1000; i++) {
    if (check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

const can = canBuildTestbed();

describe.skipIf(!can.ok)(`LAN discovery between namespaces${can.ok ? '' : ` (skipped: ${can.why})`}`, () => {
  let bed: Testbed;
  const children: Child[] = [];

  beforeAll(() => {
    bed = new Testbed({ tag: 'd' });
  });
  afterAll(async () => {
    for (const c of children) {
      if (c.peers().length === 0 && c.stderr)
        process.stderr.write(`[${c.host}] ${c.stderr.slice(0, 2000)}\n`);
    }
    await bed.destroy();
  });

  function start(host: string, opts: { interfaces: string[]; tagHex: string; listenPort: number }): Child {
    const key = randomBytes(32).toString('hex');
    const args = {
      port: DISCOVERY_PORT,
      interfaces: opts.interfaces,
      keyHex: key,
      tagHex: opts.tagHex,
      listenPort: opts.listenPort,
      intervalMs: 300,
      rescanMs: 200,
      lifetimeMs: 60_000,
    };
    const proc = bed.spawn(host, process.execPath, ['--import', TSX, CHILD, JSON.stringify(args)]);
    const child = new Child(host, key, opts.listenPort, proc);
    children.push(child);
    return child;
  }

  async function linkLocal(host: string, dev: string): Promise<string> {
    const { stdout } = await run(
      'ip',
      ['-n', bed.ns(host), '-j', '-6', 'addr', 'show', 'dev', dev, 'scope', 'link'],
      {
        timeout: 5000,
      },
    );
    const parsed = JSON.parse(stdout) as { addr_info: { local?: string }[] }[];
    const addr = parsed[0]?.addr_info.find((a) => a.local?.startsWith('fe80'))?.local;
    if (addr === undefined) throw new Error(`no link-local address on ${dev} in ${host}`);
    return addr;
  }

  it('each side learns the other key and scoped link-local endpoint; another network is ignored', async () => {
    const tag = randomBytes(8).toString('hex');
    const otherTag = randomBytes(8).toString('hex');
    await bed.addHost('a');
    await bed.addHost('b');
    await bed.addHost('c');
    // a: every suitable interface; b: only the one named (it appears once the link exists);
    // c: another private network on a's other link.
    const a = start('a', { interfaces: [], tagHex: tag, listenPort: 9651 });
    const b = start('b', { interfaces: ['v1a'], tagHex: tag, listenPort: 9761 });
    const c = start('c', { interfaces: [], tagHex: otherTag, listenPort: 9651 });
    expect(
      await waitFor(() => children.every((x) => x.lines.some((l) => l.event === 'ready')), WAIT_MS),
    ).toBe(true);

    const ab: LinkAddresses = await bed.link('a', 'b');
    const ac: LinkAddresses = await bed.link('a', 'c');
    expect(ab.a.dev).toBe('v1b');
    expect(ab.b.dev).toBe('v1a');

    const learned = await waitFor(
      () => a.peers().some((p) => p.key === b.key) && b.peers().some((p) => p.key === a.key),
      WAIT_MS,
    );
    if (!learned) {
      process.stderr.write(
        `a: ${JSON.stringify(a.lines.slice(-5))}\nb: ${JSON.stringify(b.lines.slice(-5))}\n`,
      );
    }
    expect(learned).toBe(true);

    const bAtA = a.peers().find((p) => p.key === b.key)!;
    const aAtB = b.peers().find((p) => p.key === a.key)!;
    expect(bAtA.address).toBe(`${await linkLocal('b', ab.b.dev)}%${ab.a.dev}`);
    expect(bAtA.port).toBe(9761);
    expect(aAtB.address).toBe(`${await linkLocal('a', ab.a.dev)}%${ab.b.dev}`);
    expect(aAtB.port).toBe(9651);

    // a beacons on both links; c's beacons reach a on v2c but carry another network tag.
    expect(
      await waitFor(
        () =>
          (a.counters()['discovery.drop.beacon-network'] ?? 0) > 0 &&
          (c.counters()['discovery.drop.beacon-network'] ?? 0) > 0,
        WAIT_MS,
      ),
    ).toBe(true);
    expect(a.peers().some((p) => p.key === c.key)).toBe(false);
    expect(c.peers()).toEqual([]);
    expect(ac.a.dev).toBe('v2c');
    expect(a.lines.filter((l) => l.event === 'interface-joined').map((l) => l.interface)).toEqual(
      expect.arrayContaining(['v1b', 'v2c']),
    );
    // b was told to use v1a only.
    expect(b.lines.filter((l) => l.event === 'interface-joined').map((l) => l.interface)).toEqual(['v1a']);

    // The hold: many beacons later, each side proposed the other once.
    expect(a.peers().filter((p) => p.key === b.key)).toHaveLength(1);
    expect(b.peers().filter((p) => p.key === a.key)).toHaveLength(1);
  });

  it('survives its interface going away and rejoins when it is back', async () => {
    const a = children.find((c) => c.host === 'a')!;
    const ab: LinkAddresses = {
      index: 1,
      a: { host: 'a', dev: 'v1b', v4: '', v6: '' },
      b: { host: 'b', dev: 'v1a', v4: '', v6: '' },
    };
    await bed.setLink(ab, false);
    expect(
      await waitFor(
        () => a.lines.some((l) => l.event === 'interface-left' && l.interface === 'v1b'),
        WAIT_MS,
      ),
    ).toBe(true);
    await bed.setLink(ab, true);
    expect(
      await waitFor(
        () => a.lines.filter((l) => l.event === 'interface-joined' && l.interface === 'v1b').length >= 2,
        WAIT_MS,
      ),
    ).toBe(true);
    // Still alive and counting.
    const before = a.lines.length;
    expect(await waitFor(() => a.lines.length > before, 5000)).toBe(true);
    expect(a.proc.exitCode).toBe(null);
  });
});

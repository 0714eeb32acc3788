import { execFileSync } from 'node:child_process';
import { mustRun, runIn } from './exec.js';
import { waitUntil } from './wait.js';

export type Side = 'A' | 'B' | 'C';

export interface UnderlayAddresses {
  readonly v4: string;
  readonly v6: string;
}

export interface LinkEnd extends UnderlayAddresses {
  readonly side: Side;
  readonly ns: string;
  readonly dev: string;
}

export interface Link {
  readonly a: LinkEnd;
  readonly b: LinkEnd;
}

export interface Topology {
  readonly sides: readonly Side[];
  readonly ns: Readonly<Partial<Record<Side, string>>>;
  /** links[i] joins sides[i] and sides[i+1]. */
  readonly links: readonly Link[];
}

export const UNDERLAY_MTU = 1500;

/**
 * Underlay addresses of link i: 198.18.i.1/.2 (/24) and fd00:198:18:i::1/::2 (/64), all inside the
 * RFC 2544 benchmark range 198.18.0.0/15 and fd00:198:18::/48, never the host's own networks.
 */
export function linkAddresses(index: number): { a: UnderlayAddresses; b: UnderlayAddresses } {
  const v6net = index === 0 ? 'fd00:198:18::' : `fd00:198:18:${index}::`;
  return {
    a: { v4: `198.18.${index}.1`, v6: `${v6net}1` },
    b: { v4: `198.18.${index}.2`, v6: `${v6net}2` },
  };
}

/** Creates and deletes the namespaces of a run; remembers every one it made so cleanup finds them all. */
export class NamespaceSet {
  private readonly created = new Set<string>();
  private counter = 0;

  constructor(private readonly prefix: string) {}

  /** A chain of namespaces (A—B or A—B—C) joined by veth pairs, with both underlay families up. */
  async createChain(sides: readonly Side[]): Promise<Topology> {
    this.counter += 1;
    const ns: Partial<Record<Side, string>> = {};
    for (const side of sides) {
      const name = `${this.prefix}-${this.counter}${side.toLowerCase()}`;
      await mustRun('ip', ['netns', 'add', name]);
      this.created.add(name);
      ns[side] = name;
      await mustRun('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
      // no duplicate address detection: the underlay IPv6 addresses are usable at once
      await mustRun('ip', [
        'netns',
        'exec',
        name,
        'sysctl',
        '-qw',
        'net.ipv6.conf.all.accept_dad=0',
        'net.ipv6.conf.default.accept_dad=0',
      ]);
    }
    const links: Link[] = [];
    for (let i = 0; i + 1 < sides.length; i++) {
      const left = sides[i]!;
      const right = sides[i + 1]!;
      const addr = linkAddresses(i);
      const dev = `ul${i}`;
      const a: LinkEnd = { side: left, ns: ns[left]!, dev, ...addr.a };
      const b: LinkEnd = { side: right, ns: ns[right]!, dev, ...addr.b };
      // created straight inside the namespaces: the host namespace never sees these names
      await mustRun('ip', [
        'link',
        'add',
        dev,
        'mtu',
        String(UNDERLAY_MTU),
        'netns',
        a.ns,
        'type',
        'veth',
        'peer',
        'name',
        dev,
        'mtu',
        String(UNDERLAY_MTU),
        'netns',
        b.ns,
      ]);
      for (const end of [a, b]) {
        await mustRun('ip', ['-n', end.ns, 'addr', 'add', `${end.v4}/24`, 'dev', dev]);
        await mustRun('ip', ['-n', end.ns, 'addr', 'add', `${end.v6}/64`, 'dev', dev, 'nodad']);
        await mustRun('ip', ['-n', end.ns, 'link', 'set', dev, 'up']);
      }
      links.push({ a, b });
    }
    for (const { a, b } of links) {
      await waitUntil(
        async () =>
          (await runIn(a.ns, 'ping', ['-c1', '-W1', b.v4], { timeoutMs: 3_000 })).code === 0 &&
          (await runIn(a.ns, 'ping', ['-c1', '-W1', b.v6], { timeoutMs: 3_000 })).code === 0,
        { timeoutMs: 10_000, intervalMs: 100, what: `the underlay between ${a.side} and ${b.side}` },
      );
    }
    return { sides, ns, links };
  }

  async delete(topology: Topology): Promise<void> {
    for (const name of Object.values(topology.ns)) if (name) await this.deleteOne(name);
  }

  async deleteAll(): Promise<void> {
    for (const name of [...this.created]) await this.deleteOne(name);
  }

  deleteAllSync(): void {
    for (const name of [...this.created]) {
      try {
        execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore', timeout: 10_000 });
      } catch {
        // already gone
      }
      this.created.delete(name);
    }
  }

  private async deleteOne(name: string): Promise<void> {
    if (!this.created.has(name)) return;
    await mustRun('ip', ['netns', 'del', name]).catch(() => undefined);
    this.created.delete(name);
  }
}

/** The neighbours of `side` in a topology, with their addresses on the shared link, and `side`'s own end. */
export function neighboursOf(
  topology: Topology,
  side: Side,
): { own: LinkEnd; peer: LinkEnd; linkIndex: number }[] {
  const out: { own: LinkEnd; peer: LinkEnd; linkIndex: number }[] = [];
  topology.links.forEach((l, linkIndex) => {
    if (l.a.side === side) out.push({ own: l.a, peer: l.b, linkIndex });
    if (l.b.side === side) out.push({ own: l.b, peer: l.a, linkIndex });
  });
  return out;
}

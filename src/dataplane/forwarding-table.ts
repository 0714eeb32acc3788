/**
 * The forwarding table: overlay prefix → next hop, as the routing engine installs it. Every prefix
 * hypha routes is a node's /64, so lookup is one Map probe on the address's first 8 bytes; other
 * prefix lengths (none today) fall back to a linear longest-prefix scan.
 */
import { prefixContains } from '../identity/address.js';
import type { ForwardingEntry } from '../routing/api.js';
import type { Prefix } from '../wire/babel/types.js';

const SUBNET_BYTES = 8;

/** The map key of the /64 an address lies in: its first 8 bytes as a latin1 string. */
export function subnetKey(addr: Uint8Array): string {
  // 8 bytes as a latin1 string: the cheapest Map key JS offers for bytes (no hex encoding).
  let s = '';
  for (let i = 0; i < SUBNET_BYTES; i++) s += String.fromCharCode(addr[i]!);
  return s;
}

export class ForwardingTable {
  private readonly by64 = new Map<string, ForwardingEntry>();
  private readonly others: ForwardingEntry[] = [];

  /** Installs or replaces the entry for `entry.prefix`. */
  install(entry: ForwardingEntry): void {
    if (entry.prefix.plen === 64) {
      this.by64.set(subnetKey(entry.prefix.addr), entry);
      return;
    }
    this.remove(entry.prefix);
    this.others.push(entry);
    this.others.sort((a, b) => b.prefix.plen - a.prefix.plen);
  }

  /** Removes the entry for `prefix`, if any. */
  remove(prefix: Prefix): void {
    if (prefix.plen === 64) {
      this.by64.delete(subnetKey(prefix.addr));
      return;
    }
    const i = this.others.findIndex(
      (e) => e.prefix.plen === prefix.plen && prefixContains(e.prefix.addr, prefix.plen, prefix.addr),
    );
    if (i >= 0) this.others.splice(i, 1);
  }

  /** The entry whose prefix is the longest match for `addr`, or undefined. */
  lookup(addr: Uint8Array): ForwardingEntry | undefined {
    const hit = this.by64.get(subnetKey(addr));
    if (hit !== undefined || this.others.length === 0) return hit;
    return this.others.find((e) => prefixContains(e.prefix.addr, e.prefix.plen, addr));
  }

  get size(): number {
    return this.by64.size + this.others.length;
  }

  entries(): ForwardingEntry[] {
    return [...this.by64.values(), ...this.others];
  }
}

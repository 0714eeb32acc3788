/**
 * Copies of the last few packets this node sent with a small hop limit (traceroute probes), so that
 * when a relay reports "your frame (key id, counter) ran out of hop limit here", the node can answer
 * its own application with an ICMPv6 Time Exceeded that quotes the probe, from the relay's address.
 * Relays cannot build that error themselves: they cannot read the packet it must quote.
 */
import { IPV6_MIN_MTU } from './ipv6.js';

/** Probes with an inner hop limit above this are ordinary traffic and are not kept (Linux uses 64). */
export const TRACE_MAX_HOP_LIMIT = 32;
/** Probes kept; traceroute sends 3 per hop and at most a few dozen in flight. */
export const TRACE_RING_SIZE = 64;
/** Bytes of a probe kept: as much as an ICMPv6 error can quote. */
const QUOTE_BYTES = IPV6_MIN_MTU - 48;

export class TraceRing {
  private readonly probes = new Map<string, Uint8Array>();

  /** Remembers a sent probe under the (key id, counter) of the Data frame that carried it. */
  remember(keyId: number, counter: number, packet: Uint8Array): void {
    if (this.probes.size >= TRACE_RING_SIZE) this.probes.delete(this.probes.keys().next().value!);
    // A copy (Uint8Array.from, not Buffer#slice, which would be a view of the reused read slab).
    this.probes.set(`${keyId}:${counter}`, Uint8Array.from(packet.subarray(0, QUOTE_BYTES)));
  }

  /** Returns and forgets the probe a report names, or undefined (unknown, evicted, or reported already). */
  take(keyId: number, counter: number): Uint8Array | undefined {
    const k = `${keyId}:${counter}`;
    const p = this.probes.get(k);
    this.probes.delete(k);
    return p;
  }
}
